using System.Text.Json;
using Dokkaa.Core.Manifests.Parsing;
using Dokkaa.Core.Manifests.Serialization;

namespace Dokkaa.Core.Manifests.Schema;

/// <summary>A <see cref="ManifestField"/> whose value has type <typeparamref name="T"/>: the rules as functions of that value.</summary>
internal sealed class TypedManifestField<T> : ManifestField
{
    public required Func<Manifest, T> Get { get; init; }

    /// <summary>A copy of the manifest with the value (a <c>with</c> expression).</summary>
    public required Func<Manifest, T, Manifest> Set { get; init; }

    /// <summary>The value of a manifest that does not name the field.</summary>
    public required T Default { get; init; }

    public required Func<JsonElement, string, ErrorList, T> ReadValue { get; init; }

    /// <summary>Whether the canonical form writes the value (it leaves out what is absent or default).</summary>
    public required Func<T, bool> IsWritten { get; init; }

    public required Action<JsonTextBuilder, T> WriteValue { get; init; }

    /// <summary>The change after the field's name (<c>2 -> 5</c>, <c>+web ~db</c>); null when the values mean the same.</summary>
    public required Func<T, T, string?> DescribeChange { get; init; }

    /// <summary>The value after the field's name in a summary; "" for the name alone, null to leave the field out.</summary>
    public required Func<T, string?> Summarize { get; init; }

    internal override Manifest Read(Manifest manifest, JsonElement value, string path, ErrorList errors) =>
        Set(manifest, ReadValue(value, path, errors));

    internal override void Write(JsonTextBuilder json, Manifest manifest)
    {
        var value = Get(manifest);
        if (!IsWritten(value))
            return;
        json.Name(Name);
        WriteValue(json, value);
    }

    internal override string? Change(Manifest before, Manifest after) =>
        DescribeChange(Get(before), Get(after)) is { } change ? Name + " " + change : null;

    internal override string? Summary(Manifest manifest) => Summarize(Get(manifest)) switch
    {
        null => null,
        "" => Name,
        var text => Name + " " + text,
    };

    internal override Manifest Reset(Manifest manifest) => Set(manifest, Default);
}
