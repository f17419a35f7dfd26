using System.Net;
using System.Text.Json;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;
using static Dokkaa.WebConsole.Tests.Support.ConsoleFixture;

namespace Dokkaa.WebConsole.Tests.Api;

/// <summary>PUT, GET, PATCH and DELETE of manifests against a real etcd: validation, problem answers, and what lands in etcd.</summary>
public sealed class ManifestApiTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private const string Web = """{"image":"dockerfile/nginx","scale":2,"services":{"web":80}}""";

    private ClusterWriter Cluster => console.Cluster;

    [Fact]
    public async Task PutCreatesThenUpdatesAndGetReturnsWhatIsStored()
    {
        var app = ClusterWriter.NewName();

        using var created = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(app, "web"), Web));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Json(created);
        Assert.Equal("created", body.GetProperty("change").GetString());
        var stored = await Cluster.GetManifestAsync(app, "web");
        Assert.NotNull(stored);
        Assert.Equal(stored.ModRevision, body.GetProperty("revision").GetInt64());
        Assert.Equal(2, ManifestParser.Parse(stored.Value).Scale);
        Assert.Equal($"\"{stored.ModRevision}\"", created.Headers.ETag?.ToString());

        using var updated = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(app, "web"), Web.Replace("\"scale\":2", "\"scale\":4", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("updated", (await Json(updated)).GetProperty("change").GetString());

        using var again = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(app, "web"), Web.Replace("\"scale\":2", "\"scale\":4", StringComparison.Ordinal)));
        Assert.Equal("unchanged", (await Json(again)).GetProperty("change").GetString());

        using var read = await console.Http.GetAsync(ManifestPath(app, "web"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var document = await Json(read);
        Assert.True(document.GetProperty("valid").GetBoolean());
        Assert.Equal(4, document.GetProperty("manifest").GetProperty("scale").GetInt32());
        Assert.Equal((await Cluster.GetManifestAsync(app, "web"))!.Value, document.GetProperty("raw").GetString());

        // A write is visible to the next read at once (the server waits for its live view to catch up).
        var apps = await Json(await console.Http.GetAsync($"/api/apps?app={app}"));
        Assert.Equal(4, Assert.Single(apps.EnumerateArray()).GetProperty("desired").GetInt32());
    }

    [Fact]
    public async Task EveryFieldOfTheSchemaIsWrittenAndReadBack()
    {
        var app = ClusterWriter.NewName();
        var every = SchemaExamples.WithEveryField();

        using var created = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(app, "every"), every));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(ManifestSchema.Names, (await Json(created)).GetProperty("manifest").EnumerateObject().Select(p => p.Name));

        using var read = await console.Http.GetAsync(ManifestPath(app, "every"));
        var manifest = (await Json(read)).GetProperty("manifest");
        Assert.Equal(ManifestSchema.Names, manifest.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ManifestParser.Parse(every), ManifestParser.Parse(manifest.GetRawText()));
    }

    [Theory]
    [InlineData("""{"image":"dockerfile/nginx","services":{"web":70000}}""", "$.services.web", "70000")]
    [InlineData("""{"image":"dockerfile/nginx","scale":-1}""", "$.scale", "")]
    [InlineData("""{"scale":1}""", "$.image", "")]
    [InlineData("""{"image":"dockerfile/nginx","sclae":2}""", "$.sclae", "")]
    [InlineData("""{"image":"dockerfile/nginx",""", "$", "JSON")]
    [InlineData("", "$", "JSON")]
    public async Task InvalidManifestIs400ProblemNamingTheFieldAndWritesNothing(string manifest, string path, string mentions)
    {
        var app = ClusterWriter.NewName();
        var before = await Cluster.RevisionAsync();

        using var response = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(app, "web"), manifest));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("DokkaaManifestInvalid", problem.GetProperty("errorId").GetString());
        var error = problem.GetProperty("errors").EnumerateArray().First(e => e.GetProperty("path").GetString() == path);
        Assert.Contains(mentions, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(path, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await Cluster.RevisionAsync());
    }

    [Fact]
    public async Task InvalidManifestErrorsAreTheCoreParsersErrors()
    {
        const string manifest = """{"image":"","services":{"web":0},"links":["Bad Link"]}""";
        Assert.False(ManifestParser.TryParse(manifest, out _, out var expected));

        using var response = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(ClusterWriter.NewName(), "web"), manifest));

        var errors = (await Json(response)).GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("path").GetString(), e.GetProperty("message").GetString())).ToList();
        Assert.Equal(expected.Select(e => ((string?)e.Path, (string?)e.Message)), errors);
        Assert.True(errors.Count >= 3);
    }

    [Theory]
    [InlineData("Shop", "web", "app")]
    [InlineData("shop", "a---b", "name")]
    public async Task InvalidNameIs400NamingIt(string app, string name, string path)
    {
        var before = await Cluster.RevisionAsync();

        using var response = await console.Http.SendAsync(Request(HttpMethod.Put, ManifestPath(app, name), Web));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json(response);
        Assert.Equal("DokkaaNameInvalid", problem.GetProperty("errorId").GetString());
        Assert.Equal(path, Assert.Single(problem.GetProperty("errors").EnumerateArray()).GetProperty("path").GetString());
        Assert.Equal(before, await Cluster.RevisionAsync());
    }

    [Fact]
    public async Task PatchChangesOnlyTheScale()
    {
        var app = ClusterWriter.NewName();
        await Cluster.PutManifestAsync(app, "web", """{"image":"dockerfile/nginx","env":{"MODE":"x"}}""");

        using var response = await console.Http.SendAsync(Request(HttpMethod.Patch, ManifestPath(app, "web"), """{"scale":3}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("updated", (await Json(response)).GetProperty("change").GetString());
        var stored = ManifestParser.Parse((await Cluster.GetManifestAsync(app, "web"))!.Value);
        Assert.Equal(3, stored.Scale);
        Assert.Equal("x", stored.Env["MODE"]);
        var apps = await Json(await console.Http.GetAsync($"/api/apps?app={app}"));
        Assert.Equal(3, Assert.Single(apps.EnumerateArray()).GetProperty("desired").GetInt32());
    }

    [Theory]
    [InlineData("""{"scale":-1}""", "$.scale")]
    [InlineData("""{"scale":"3"}""", "$.scale")]
    [InlineData("""{"scale":1.5}""", "$.scale")]
    [InlineData("""{}""", "$.scale")]
    [InlineData("""{"scale":2,"image":"other"}""", "$.image")]
    [InlineData("""[2]""", "$")]
    [InlineData("""{"scale":""", "$")]
    public async Task BadPatchIs400NamingTheField(string body, string path)
    {
        var app = ClusterWriter.NewName();
        await Cluster.PutManifestAsync(app, "web", Web);
        var before = await Cluster.RevisionAsync();

        using var response = await console.Http.SendAsync(Request(HttpMethod.Patch, ManifestPath(app, "web"), body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains((await Json(response)).GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
        Assert.Equal(before, await Cluster.RevisionAsync());
    }

    [Fact]
    public async Task PatchOfABrokenStoredManifestIsAConflict()
    {
        var app = ClusterWriter.NewName();
        await Cluster.PutManifestAsync(app, "web", """{"image":"dockerfile/nginx","scale":"many"}""");
        var before = await Cluster.RevisionAsync();

        using var response = await console.Http.SendAsync(Request(HttpMethod.Patch, ManifestPath(app, "web"), """{"scale":2}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("DokkaaManifestInvalid", (await Json(response)).GetProperty("errorId").GetString());
        Assert.Equal(before, await Cluster.RevisionAsync());
    }

    [Fact]
    public async Task MissingManifestIs404ForGetPatchAndDelete()
    {
        var app = ClusterWriter.NewName();
        foreach (var request in new[]
        {
            Request(HttpMethod.Get, ManifestPath(app, "web")),
            Request(HttpMethod.Patch, ManifestPath(app, "web"), """{"scale":2}"""),
            Request(HttpMethod.Delete, ManifestPath(app, "web")),
        })
        {
            using (request)
            using (var response = await console.Http.SendAsync(request))
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("DokkaaManifestNotFound", (await Json(response)).GetProperty("errorId").GetString());
            }
        }
    }

    [Fact]
    public async Task DeleteRemovesTheManifest()
    {
        var app = ClusterWriter.NewName();
        await Cluster.PutManifestAsync(app, "web", Web);

        using var response = await console.Http.SendAsync(Request(HttpMethod.Delete, ManifestPath(app, "web")));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(await Cluster.GetManifestAsync(app, "web"));
        var apps = await Json(await console.Http.GetAsync($"/api/apps?app={app}"));
        Assert.Empty(apps.EnumerateArray());
    }

    [Fact]
    public async Task StaleIfMatchIsAConflictAndWritesNothing()
    {
        var app = ClusterWriter.NewName();
        var first = await Cluster.PutManifestAsync(app, "web", Web);
        await Cluster.PutManifestAsync(app, "web", Web.Replace("\"scale\":2", "\"scale\":3", StringComparison.Ordinal));
        var before = await Cluster.RevisionAsync();

        using var request = Request(HttpMethod.Put, ManifestPath(app, "web"), Web.Replace("\"scale\":2", "\"scale\":9", StringComparison.Ordinal));
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{first}\"");
        using var response = await console.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("DokkaaConflict", (await Json(response)).GetProperty("errorId").GetString());
        Assert.Equal(before, await Cluster.RevisionAsync());
        Assert.Equal(3, ManifestParser.Parse((await Cluster.GetManifestAsync(app, "web"))!.Value).Scale);
    }

    [Fact]
    public async Task OversizedBodyIsRefusedAndWritesNothing()
    {
        var app = ClusterWriter.NewName();
        var before = await Cluster.RevisionAsync();
        var huge = """{"image":"dockerfile/nginx","env":{"BIG":"VALUE"}}""".Replace("VALUE", new string('x', 2 * 1024 * 1024), StringComparison.Ordinal);

        // Expect: 100-continue, as curl sends for large bodies: the console answers from the headers, and the client
        // does not write a body the server already refused (without it, the refusal can reach the client as a broken pipe).
        using var request = Request(HttpMethod.Put, ManifestPath(app, "web"), huge);
        request.Headers.ExpectContinue = true;
        using var response = await console.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(await Cluster.GetManifestAsync(app, "web"));
        Assert.Equal(before, await Cluster.RevisionAsync());
    }

    [Fact]
    public async Task GetShowsABrokenManifestWithItsErrors()
    {
        var app = ClusterWriter.NewName();
        await Cluster.PutManifestAsync(app, "web", """{"image":"dockerfile/nginx","services":{"web":70000}}""");

        var document = await Json(await console.Http.GetAsync(ManifestPath(app, "web")));

        Assert.False(document.GetProperty("valid").GetBoolean());
        Assert.Equal("$.services.web", Assert.Single(document.GetProperty("errors").EnumerateArray()).GetProperty("path").GetString());
        Assert.False(document.TryGetProperty("manifest", out _));
        Assert.Contains("70000", document.GetProperty("raw").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
