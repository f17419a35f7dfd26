using System.Globalization;
using Dokkaa.Core.Manifests.Parsing;
using Dokkaa.Core.Manifests.Schema;
using Dokkaa.Core.Manifests.Serialization;

namespace Dokkaa.Core.Manifests;

/// <summary>
/// The manifest's fields, each described once (<see cref="ManifestField"/>), in the order the canonical form
/// writes them. Everything that knows the fields goes through this list: <see cref="ManifestParser"/>,
/// <see cref="ManifestSerializer"/> (and with it equality and the hashes), <see cref="ManifestDiff"/>, the
/// PowerShell input and New-DokkaaManifest. Adding a field means adding a property to <see cref="Manifest"/>
/// and an entry here; a test fails until both exist and every consumer handles it.
/// </summary>
public static class ManifestSchema
{
    public static ManifestField Image { get; } = new TypedManifestField<string>
    {
        Name = "image",
        Property = nameof(Manifest.Image),
        Required = true,
        Parameters = [new("Image")],
        Example = "\"registry:5000/shop/web:1.2\"",
        Get = m => m.Image,
        Set = (m, v) => m with { Image = v },
        Default = "",
        ReadValue = (value, path, errors) => ManifestReader.ReadImage(value, path, errors) ?? "",
        IsWritten = _ => true,
        WriteValue = (json, v) => json.String(v),
        DescribeChange = (a, b) => ChangeText.Value(a, b, v => v),
        Summarize = v => v,
    };

    public static ManifestField Scale { get; } = new TypedManifestField<int>
    {
        Name = "scale",
        Property = nameof(Manifest.Scale),
        Parameters = [new("Scale")],
        ShapesContainer = false,
        Example = "3",
        Get = m => m.Scale,
        Set = (m, v) => m with { Scale = v },
        Default = 1,
        ReadValue = ManifestReader.ReadScale,
        IsWritten = _ => true,
        WriteValue = (json, v) => json.Number(v),
        DescribeChange = (a, b) => ChangeText.Value(a, b, Integer),
        Summarize = Integer,
    };

    public static ManifestField Services { get; } = new TypedManifestField<IReadOnlyDictionary<string, ServicePort>>
    {
        Name = "services",
        Property = nameof(Manifest.Services),
        EntryMembers = ["port", "protocol", "role"],
        Parameters = [new("Service")],
        Example = """{"web": 80, "dns": {"port": 53, "protocol": "udp", "role": "resolver"}}""",
        Get = m => m.Services,
        Set = (m, v) => m with { Services = v },
        Default = Manifest.EmptyServices,
        ReadValue = (value, path, errors) => ServicesReader.Read(value, path, errors).AsReadOnly(),
        IsWritten = v => v is { Count: > 0 },
        WriteValue = ValueWriters.Services,
        DescribeChange = (a, b) => ChangeText.Map(a, b, s => s.ToString()),
        Summarize = v => ChangeText.Pairs(v, s => s.ToString()),
    };

    public static ManifestField Command { get; } = new TypedManifestField<IReadOnlyList<string>?>
    {
        Name = "command",
        Property = nameof(Manifest.Command),
        Parameters = [new("Command")],
        Example = """["/bin/sh", "-c", "exec httpd -f -p 80"]""",
        Get = m => m.Command,
        Set = (m, v) => m with { Command = v },
        Default = null,
        ReadValue = (value, path, errors) => CommandReader.Read(value, path, errors)?.AsReadOnly(),
        IsWritten = v => v is not null,
        WriteValue = (json, v) => ValueWriters.Strings(json, v!),
        DescribeChange = (a, b) => SameCommand(a, b) ? null : b is null ? "removed" : $"{ChangeText.Command(a)} -> {ChangeText.Command(b)}",
        // The summary names what a manifest is; the command is in its JSON.
        Summarize = _ => null,
    };

    public static ManifestField Links { get; } = new TypedManifestField<IReadOnlyList<string>>
    {
        Name = "links",
        Property = nameof(Manifest.Links),
        Parameters = [new("Link")],
        Example = """["db", "search.otherapp"]""",
        Get = m => m.Links,
        Set = (m, v) => m with { Links = v },
        Default = Array.Empty<string>(),
        ReadValue = (value, path, errors) => LinksReader.Read(value, path, errors).AsReadOnly(),
        IsWritten = v => v is { Count: > 0 },
        // A link list is a set: order carries no meaning, so the canonical form sorts it.
        WriteValue = (json, v) => ValueWriters.Strings(json, v.Order(StringComparer.Ordinal)),
        DescribeChange = ChangeText.Set,
        Summarize = v => ChangeText.Sorted(v, v.Count),
    };

    public static ManifestField Env { get; } = new TypedManifestField<IReadOnlyDictionary<string, string>>
    {
        Name = "env",
        Property = nameof(Manifest.Env),
        Parameters = [new("Env")],
        Example = """{"MODE": "production"}""",
        Get = m => m.Env,
        Set = (m, v) => m with { Env = v },
        Default = Manifest.EmptyEnv,
        ReadValue = (value, path, errors) => EnvReader.Read(value, path, errors).AsReadOnly(),
        IsWritten = v => v is { Count: > 0 },
        WriteValue = ValueWriters.StringMap,
        // Names only: values may be secrets, and -WhatIf output ends up in logs.
        DescribeChange = (a, b) => ChangeText.Map(a, b, _ => null),
        Summarize = v => ChangeText.Sorted(v.Keys, v.Count),
    };

    public static ManifestField Http { get; } = new TypedManifestField<HttpRoute?>
    {
        Name = "http",
        Property = nameof(Manifest.Http),
        Members = ["host", "port"],
        Parameters = [new("HttpHost", "host"), new("HttpPort", "port")],
        ShapesContainer = false,
        Example = """{"host": "shop.example.com", "port": 80}""",
        Get = m => m.Http,
        Set = (m, v) => m with { Http = v },
        Default = null,
        ReadValue = HttpReader.Read,
        IsWritten = v => v is not null,
        WriteValue = (json, v) => ValueWriters.Http(json, v!),
        DescribeChange = (a, b) => ChangeText.Value(a, b, ChangeText.OrNone),
        Summarize = v => v?.ToString(),
    };

    public static ManifestField Exclusive { get; } = new TypedManifestField<bool>
    {
        Name = "exclusive",
        Property = nameof(Manifest.Exclusive),
        Parameters = [new("Exclusive")],
        ShapesContainer = false,
        Example = "true",
        Get = m => m.Exclusive,
        Set = (m, v) => m with { Exclusive = v },
        Default = false,
        ReadValue = (value, path, errors) => JsonValues.TryReadBool(value, path, errors, out var exclusive) && exclusive,
        IsWritten = v => v,
        WriteValue = (json, v) => json.Bool(v),
        DescribeChange = (a, b) => ChangeText.Value(a, b, ChangeText.Bool),
        Summarize = v => v ? "" : null,
    };

    public static ManifestField Constraints { get; } = new TypedManifestField<IReadOnlyDictionary<string, string>>
    {
        Name = "constraints",
        Property = nameof(Manifest.Constraints),
        Parameters = [new("Constraint")],
        ShapesContainer = false,
        Example = """{"zone": "eu-1"}""",
        Get = m => m.Constraints,
        Set = (m, v) => m with { Constraints = v },
        Default = Manifest.EmptyEnv,
        ReadValue = (value, path, errors) => ConstraintsReader.Read(value, path, errors).AsReadOnly(),
        IsWritten = v => v is { Count: > 0 },
        WriteValue = ValueWriters.StringMap,
        DescribeChange = (a, b) => ChangeText.Map(a, b, v => v),
        Summarize = v => ChangeText.Pairs(v, value => value),
    };

    public static ManifestField Resources { get; } = new TypedManifestField<ResourceRequest?>
    {
        Name = "resources",
        Property = nameof(Manifest.Resources),
        Members = ["cpus", "memory"],
        Parameters = [new("Cpus", "cpus"), new("Memory", "memory")],
        Example = """{"cpus": 0.5, "memory": "256m"}""",
        Get = m => m.Resources,
        Set = (m, v) => m with { Resources = v },
        Default = null,
        ReadValue = ResourcesReader.Read,
        IsWritten = v => v is { } r && (r.MilliCpus > 0 || r.MemoryBytes > 0),
        WriteValue = (json, v) => ValueWriters.Resources(json, v!),
        DescribeChange = (a, b) => ChangeText.Value(a, b, ChangeText.OrNone),
        Summarize = v => v?.ToString(),
    };

    /// <summary>Every field, in canonical order.</summary>
    public static IReadOnlyList<ManifestField> Fields { get; } =
        [Image, Scale, Services, Command, Links, Env, Http, Exclusive, Constraints, Resources];

    /// <summary>The field names, in canonical order (what an unknown field's error lists).</summary>
    public static IReadOnlyList<string> Names { get; } = Fields.Select(f => f.Name).ToArray();

    /// <summary>The field named exactly <paramref name="name"/> (JSON is case-sensitive), or null.</summary>
    public static ManifestField? Find(string name) => IndexOf(name) is var index and >= 0 ? Fields[index] : null;

    /// <summary>The position in <see cref="Fields"/> of the field named exactly <paramref name="name"/>, or -1.</summary>
    internal static int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i].Name, name, StringComparison.Ordinal))
                return i;
        }

        return -1;
    }

    /// <summary>The field <paramref name="name"/> names ignoring case (PowerShell's property names), or null.</summary>
    public static ManifestField? Match(string name) => Match(name, Names) is { } match ? Find(match) : null;

    /// <summary>The name of <paramref name="known"/> that <paramref name="name"/> names ignoring case; null when none does.</summary>
    public static string? Match(string name, IReadOnlyList<string> known)
    {
        foreach (var field in known)
        {
            if (string.Equals(field, name, StringComparison.OrdinalIgnoreCase))
                return field;
        }

        return null;
    }

    private static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool SameCommand(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);
}
