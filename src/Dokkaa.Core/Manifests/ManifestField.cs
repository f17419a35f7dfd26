using System.Text.Json;
using Dokkaa.Core.Manifests.Parsing;
using Dokkaa.Core.Manifests.Serialization;

namespace Dokkaa.Core.Manifests;

/// <summary>
/// One top-level field of a manifest, described once: its JSON name and the <see cref="Manifest"/> property
/// it fills, how it is read, written and compared, and what New-DokkaaManifest offers for it. The parser, the
/// canonical serializer, the diff, the container hash and the PowerShell input walk
/// <see cref="ManifestSchema.Fields"/> instead of naming fields themselves, so they cannot drift apart.
/// </summary>
public abstract class ManifestField
{
    // Only ManifestSchema makes fields: the list of them is the schema.
    private protected ManifestField()
    {
    }

    /// <summary>The name in JSON, e.g. <c>services</c>.</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The <see cref="Manifest"/> property the field fills, e.g. <c>Services</c>.</summary>
    public string Property { get; internal init; } = "";

    /// <summary>A manifest without it is invalid.</summary>
    public bool Required { get; internal init; }

    /// <summary>The names inside the field's object (<c>http</c>: host, port); empty when its keys are data or it is no object.</summary>
    public IReadOnlyList<string> Members { get; internal init; } = Array.Empty<string>();

    /// <summary>The names inside each entry's object when the field maps keys to objects (<c>services</c>: port, protocol, role).</summary>
    public IReadOnlyList<string> EntryMembers { get; internal init; } = Array.Empty<string>();

    /// <summary>The New-DokkaaManifest parameters that set the field (<c>http</c>: -HttpHost, -HttpPort).</summary>
    public IReadOnlyList<ManifestParameter> Parameters { get; internal init; } = Array.Empty<ManifestParameter>();

    /// <summary>
    /// A change of it needs a new container. Fields that only say how many, where, or how traffic reaches the
    /// instances do not: the container hash leaves them out, so scaling or adding a constraint replaces nothing.
    /// </summary>
    public bool ShapesContainer { get; internal init; } = true;

    /// <summary>A valid value other than the default, as JSON (for help texts and for the tests that walk the schema).</summary>
    public string Example { get; internal init; } = "";

    public override string ToString() => Name;

    /// <summary><paramref name="manifest"/> with the field read from <paramref name="value"/>; errors go to <paramref name="errors"/>.</summary>
    internal abstract Manifest Read(Manifest manifest, JsonElement value, string path, ErrorList errors);

    /// <summary>Writes the field's name and value, unless the canonical form leaves it out (absent or default).</summary>
    internal abstract void Write(JsonTextBuilder json, Manifest manifest);

    /// <summary>What changed in this field, as <c>scale 2 -> 5</c>; null when nothing did.</summary>
    internal abstract string? Change(Manifest before, Manifest after);

    /// <summary>The field in a one-line summary (<c>scale 2</c>); null when the summary leaves it out.</summary>
    internal abstract string? Summary(Manifest manifest);

    /// <summary><paramref name="manifest"/> with the field at its default.</summary>
    internal abstract Manifest Reset(Manifest manifest);
}
