using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dokkaa.WebConsole.Hosting;

/// <summary>
/// The page (plain HTML, CSS and JavaScript, no build step) and the OpenAPI document, embedded in the assembly
/// so the console works from wherever the executable is, and served with a strict Content-Security-Policy.
/// </summary>
internal static class EmbeddedAssets
{
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly (string Route, string Resource, string ContentType)[] Pages =
    {
        ("/", "wwwroot/index.html", "text/html; charset=utf-8"),
        ("/console.js", "wwwroot/console.js", "text/javascript; charset=utf-8"),
        ("/console.css", "wwwroot/console.css", "text/css; charset=utf-8"),
    };

    public static void Map(IEndpointRouteBuilder routes)
    {
        foreach (var (route, resource, contentType) in Pages)
        {
            var bytes = Read(resource);
            var etag = $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"";
            routes.MapGet(route, (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = Csp;
                context.Response.Headers.XFrameOptions = "DENY";
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.Headers.ETag = etag;
                return context.Request.Headers.IfNoneMatch == etag ? Results.StatusCode(StatusCodes.Status304NotModified) : Results.Bytes(bytes, contentType);
            });
        }

        var openApi = OpenApiDocument();
        routes.MapGet("/openapi.json", () => Results.Text(openApi, "application/json; charset=utf-8"));
    }

    /// <summary>The hand-written document with the running version filled in.</summary>
    public static string OpenApiDocument()
    {
        var document = JsonNode.Parse(Read("openapi.json"))!;
        document["info"]!["version"] = typeof(EmbeddedAssets).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(EmbeddedAssets).Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"embedded resource {resource} is missing from the build");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
