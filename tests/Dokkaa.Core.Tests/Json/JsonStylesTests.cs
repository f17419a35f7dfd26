using System.Text.Json;
using System.Text.Json.Nodes;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Json;
using Xunit;

namespace Dokkaa.Core.Tests.Json;

public sealed class JsonStylesTests
{
    private sealed record Sample(string HostName, InstanceState State, string? Error, int Count);

    private static readonly Sample Value = new("a<b>'c'&ü", InstanceState.Running, null, 2);

    [Fact]
    public void Records_are_compact_camel_case_without_nulls()
    {
        var json = JsonSerializer.Serialize(new { HostName = "a", Error = (string?)null, Count = 2 }, JsonStyles.Records);

        Assert.Equal("""{"hostName":"a","count":2}""", json);
    }

    [Fact]
    public void Output_writes_enums_as_names_and_text_as_it_is()
    {
        var json = JsonSerializer.Serialize(Value, JsonStyles.Output);

        Assert.Equal("""{"hostName":"a<b>'c'&ü","state":"Running","count":2}""", json);
    }

    [Fact]
    public void Indented_output_is_the_same_document()
    {
        var indented = JsonSerializer.Serialize(Value, JsonStyles.OutputIndented);

        Assert.Contains('\n', indented);
        Assert.Equal(JsonSerializer.Serialize(Value, JsonStyles.Output), JsonNode.Parse(indented)!.ToJsonString(JsonStyles.Output));
    }
}
