using System.Text.Json.Nodes;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>/openapi.json is valid OpenAPI-shaped JSON and describes exactly the routes the server serves.</summary>
public sealed class OpenApiTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private static readonly string[] Methods = { "get", "put", "post", "delete", "patch", "head", "options" };

    [Fact]
    public async Task DocumentHasTheOpenApiShape()
    {
        using var response = await console.Http.GetAsync("/openapi.json");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.StartsWith("3.1.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Dokkaa API", document["info"]!["title"]!.GetValue<string>());
        Assert.Equal(typeof(Hosting.ConsoleServer).Assembly.GetName().Version!.ToString(3), document["info"]!["version"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());

        var operationIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            Assert.StartsWith("/", path, StringComparison.Ordinal);
            foreach (var (method, operation) in item!.AsObject().Where(kv => Methods.Contains(kv.Key)))
            {
                var where = $"{method.ToUpperInvariant()} {path}";
                Assert.True(operationIds.Add(operation!["operationId"]!.GetValue<string>()), $"{where}: duplicate operationId");
                Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{where}: no summary");
                var responses = operation["responses"]!.AsObject();
                Assert.NotEmpty(responses);
                Assert.All(responses, r => Assert.True(r.Key.Length == 3 && int.TryParse(r.Key, out _), $"{where}: response key {r.Key}"));
                Assert.All(responses, r => Assert.NotNull(r.Value!["description"]));

                // Every {parameter} in the path is declared as a path parameter (on the path item or the operation).
                var declared = (item["parameters"]?.AsArray() ?? new JsonArray()).Concat(operation["parameters"]?.AsArray() ?? new JsonArray())
                    .Where(p => p!["in"]!.GetValue<string>() == "path").Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
                foreach (var segment in path.Split('/').Where(s => s.StartsWith('{')))
                    Assert.Contains(segment.Trim('{', '}'), declared);

                // Writes need the token; the document says so.
                if (method is "put" or "patch" or "delete")
                {
                    Assert.Contains(operation["security"]!.AsArray(), s => s!.AsObject().ContainsKey("bearer"));
                    Assert.True(responses.ContainsKey("401"), $"{where}: no 401");
                }
            }
        }

        // Every $ref points at something that exists.
        foreach (var reference in Refs(document))
        {
            Assert.StartsWith("#/", reference, StringComparison.Ordinal);
            JsonNode? target = document;
            foreach (var part in reference[2..].Split('/'))
                target = target?[part];
            Assert.True(target is not null, $"$ref {reference} points nowhere");
        }
    }

    [Fact]
    public async Task DocumentListsEveryRouteAndNoOther()
    {
        var document = JsonNode.Parse(await console.Http.GetStringAsync("/openapi.json"))!;
        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(kv => Methods.Contains(kv.Key)).Select(kv => $"{kv.Key.ToUpperInvariant()} {p.Key}"))
            .Order(StringComparer.Ordinal).ToList();
        var served = console.Server.Routes.Select(r => $"{r.Method} {r.Pattern}").Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(served, documented);
        Assert.Contains("GET /api/events", served);
        Assert.Contains("PATCH /api/apps/{app}/{name}/manifest", served);
    }

    private static IEnumerable<string> Refs(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref")
                        yield return value!.GetValue<string>();
                    foreach (var inner in Refs(value))
                        yield return inner;
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var inner in Refs(item))
                        yield return inner;
                }

                break;
        }
    }
}
