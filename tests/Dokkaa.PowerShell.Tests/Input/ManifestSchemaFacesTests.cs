using System.Collections;
using System.Text.Json;
using Dokkaa.Core.Manifests;
using Dokkaa.PowerShell.Tests.Metadata;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Input;

/// <summary>
/// The module's faces against <see cref="ManifestSchema"/>: every field is read from a hashtable whatever the
/// case of its names, and New-DokkaaManifest offers every field. A field added to the schema is checked here
/// without a test of its own.
/// </summary>
public sealed class ManifestSchemaFacesTests
{
    public static IEnumerable<object[]> FieldNames => SchemaExamples.FieldNames;

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void Each_field_is_read_from_a_hashtable_whatever_the_case_of_its_names(string name)
    {
        var field = SchemaExamples.Field(name);
        var json = SchemaExamples.With(field);
        using var document = JsonDocument.Parse(json);
        var table = new Hashtable();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var schemaField = ManifestSchema.Find(property.Name)!;
            table[property.Name.ToUpperInvariant()] = ToPowerShell(property.Value, schemaField.Members, schemaField.EntryMembers);
        }

        var result = ManifestInput.Test(table);

        Assert.True(result.IsValid, string.Join("; ", result.Messages));
        Assert.Equal(ManifestParser.Parse(json), result.Manifest);
    }

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void New_DokkaaManifest_offers_the_field(string name)
    {
        var field = SchemaExamples.Field(name);
        using var example = JsonDocument.Parse(field.Example);
        var bound = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Image"] = "example/base:1",
            ["Service"] = new Hashtable { ["web"] = 80 },
        };
        foreach (var parameter in field.Parameters)
        {
            Assert.Contains(parameter.Name, CmdletParameters());
            var value = parameter.Member is null ? example.RootElement : example.RootElement.GetProperty(parameter.Member);
            bound[parameter.Name] = ToPowerShell(value, field.Members, field.EntryMembers);
        }

        var built = ManifestParameters.Build(bound);

        Assert.True(built.IsValid, string.Join("; ", built.Messages));
        Assert.Equal(ManifestParser.Parse(SchemaExamples.With(field)), built.Manifest);
    }

    [Fact]
    public void Every_parameter_of_New_DokkaaManifest_sets_a_field()
    {
        var offered = ManifestSchema.Fields.SelectMany(f => f.Parameters).Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(offered, CmdletParameters().Order(StringComparer.Ordinal));
    }

    private static IEnumerable<string> CmdletParameters() =>
        ModuleMetadata.Get("New-DokkaaManifest").Parameters.Select(p => p.Name);

    /// <summary>What a script would write for a JSON value: hashtables, arrays, numbers; known names in upper case.</summary>
    private static object? ToPowerShell(JsonElement value, IReadOnlyList<string> members, IReadOnlyList<string> entryMembers) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().Aggregate(new Hashtable(), (table, p) =>
        {
            var key = members.Contains(p.Name) ? p.Name.ToUpperInvariant() : p.Name;
            table[key] = ToPowerShell(p.Value, entryMembers, []);
            return table;
        }),
        JsonValueKind.Array => value.EnumerateArray().Select(item => ToPowerShell(item, [], [])).ToArray(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole : value.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
