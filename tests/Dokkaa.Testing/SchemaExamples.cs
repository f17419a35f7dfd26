using System.Text.Json.Nodes;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Testing;

/// <summary>
/// Valid manifests built from <see cref="ManifestSchema"/>: a base, and the base with one field set to its
/// <see cref="ManifestField.Example"/>. The tests that walk the schema use these, so a field added to it is
/// checked by every one of them without a test of its own.
/// </summary>
public static class SchemaExamples
{
    /// <summary>Every field at its default except the image, and a tcp service on port 80 that an <c>http</c> route may name.</summary>
    public const string BaseJson = """{"image":"example/base:1","services":{"web":80}}""";

    /// <summary>The field names, for <c>[MemberData]</c>.</summary>
    public static IEnumerable<object[]> FieldNames => ManifestSchema.Fields.Select(f => new object[] { f.Name });

    /// <summary>The base with <paramref name="field"/> set to its example.</summary>
    public static string With(ManifestField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var node = JsonNode.Parse(BaseJson)!.AsObject();
        node[field.Name] = JsonNode.Parse(field.Example);
        return node.ToJsonString();
    }

    /// <summary>The base with every field set to its example.</summary>
    public static string WithEveryField()
    {
        var node = JsonNode.Parse(BaseJson)!.AsObject();
        foreach (var field in ManifestSchema.Fields)
            node[field.Name] = JsonNode.Parse(field.Example);
        return node.ToJsonString();
    }

    public static ManifestField Field(string name) =>
        ManifestSchema.Find(name) ?? throw new ArgumentException($"{name} is not a manifest field", nameof(name));
}
