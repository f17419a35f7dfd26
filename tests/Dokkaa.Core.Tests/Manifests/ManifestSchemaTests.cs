using System.Reflection;
using System.Text.Json;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

/// <summary>
/// The schema against the <see cref="Manifest"/> type, and each of Core's consumers against the schema: a
/// property without a schema field, or a field that the parser, the canonical form, equality, the diff or
/// the container hash does not handle, fails here.
/// </summary>
public sealed class ManifestSchemaTests
{
    private static readonly Manifest Base = ManifestParser.Parse(SchemaExamples.BaseJson);

    public static IEnumerable<object[]> FieldNames => SchemaExamples.FieldNames;

    [Fact]
    public void Every_property_of_Manifest_is_a_field_of_the_schema_and_back()
    {
        var properties = typeof(Manifest).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(properties, ManifestSchema.Fields.Select(f => f.Property).Order(StringComparer.Ordinal));
        Assert.Equal(ManifestSchema.Fields.Count, ManifestSchema.Names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void The_parser_fills_the_fields_property(string name)
    {
        var field = SchemaExamples.Field(name);
        var property = typeof(Manifest).GetProperty(field.Property)!;

        var parsed = ManifestParser.Parse(SchemaExamples.With(field));

        Assert.NotEqual(Json(property.GetValue(Base)), Json(property.GetValue(parsed)));
        foreach (var other in typeof(Manifest).GetProperties().Where(p => p.Name != field.Property))
            Assert.Equal(Json(other.GetValue(Base)), Json(other.GetValue(parsed)));
    }

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void The_canonical_form_writes_the_field_and_reads_back_equal(string name)
    {
        var field = SchemaExamples.Field(name);
        var parsed = ManifestParser.Parse(SchemaExamples.With(field));

        var canonical = ManifestSerializer.ToCanonicalJson(parsed);

        using var document = JsonDocument.Parse(canonical);
        Assert.True(document.RootElement.TryGetProperty(field.Name, out _), canonical);
        Assert.Equal(canonical, ManifestSerializer.ToCanonicalJson(ManifestParser.Parse(canonical)));
        Assert.NotEqual(Base, parsed);
        Assert.NotEqual(ManifestSerializer.Hash(Base), ManifestSerializer.Hash(parsed));
    }

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void The_diff_names_a_change_of_the_field_both_ways(string name)
    {
        var field = SchemaExamples.Field(name);
        var changed = ManifestParser.Parse(SchemaExamples.With(field));

        Assert.StartsWith(field.Name + " ", ManifestDiff.Describe(Base, changed), StringComparison.Ordinal);
        Assert.StartsWith(field.Name + " ", ManifestDiff.Describe(changed, Base), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void Only_fields_that_shape_the_container_change_its_hash(string name)
    {
        var field = SchemaExamples.Field(name);
        var changed = ManifestParser.Parse(SchemaExamples.With(field));

        var differs = ManifestSerializer.ContainerHash(Base) != ManifestSerializer.ContainerHash(changed);

        Assert.Equal(field.ShapesContainer, differs);
    }

    [Fact]
    public void Every_field_has_a_New_DokkaaManifest_parameter_and_no_two_share_one()
    {
        foreach (var field in ManifestSchema.Fields)
        {
            Assert.NotEmpty(field.Parameters);
            foreach (var parameter in field.Parameters.Where(p => p.Member is not null))
                Assert.Contains(parameter.Member, field.Members);
        }

        var names = ManifestSchema.Fields.SelectMany(f => f.Parameters).Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void An_unknown_field_is_named_with_every_field_of_the_schema()
    {
        var error = ManifestAssert.SingleError(ManifestAssert.With("\"imagee\": 1"), "$.imagee", "unknown field");
        Assert.Equal("unknown field (expected one of: " + string.Join(", ", ManifestSchema.Names) + ")", error.Message);
    }

    [Fact]
    public void A_manifest_with_every_field_round_trips()
    {
        var every = ManifestParser.Parse(SchemaExamples.WithEveryField());

        var canonical = ManifestSerializer.ToCanonicalJson(every);

        using var document = JsonDocument.Parse(canonical);
        Assert.Equal(ManifestSchema.Names, document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(every, ManifestParser.Parse(canonical));
    }

    private static string Json(object? value) => JsonSerializer.Serialize(value);
}
