using System.Globalization;
using System.Text;
using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;
using Dokkaa.WebConsole.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dokkaa.WebConsole.Api;

/// <summary>
/// The HTTP API. Writes are thin calls into <see cref="ClusterOperations"/> (the same validation and errors as
/// <c>dokkaa apply</c> and the cmdlets), then wait until the live view has seen them, so a read right after a
/// write shows it. Reads answer from the live view (one etcd revision, no etcd round trip), with that revision
/// in <c>X-Dokkaa-Revision</c>.
/// </summary>
internal static class ApiEndpoints
{
    public const string RevisionHeader = "X-Dokkaa-Revision";

    public static void Map(IEndpointRouteBuilder routes, IEtcdClient etcd, LiveCluster live, TimeSpan writeVisibilityTimeout, CancellationToken stopping)
    {
        var ops = new ClusterOperations(etcd);
        var api = routes.MapGroup("/api");

        api.MapGet("/apps", (HttpContext context, string? app, string? name) =>
            Read(context, live, state => Projection.Apps(state, app, name)));

        api.MapGet("/apps/{app}/{name}/manifest", (HttpContext context, string app, string name) => Guard(async () =>
        {
            var info = await ops.GetManifestAsync(app, name, context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers.ETag = ETag(info.Revision);
            return Results.Json(new ManifestDocument(info.App, info.Name, info.Revision, info.IsValid,
                info.Errors.Select(e => new FieldError(e.Path, e.Message)).ToList(), info.Raw,
                info.Manifest is null ? null : Element(info.Manifest)), ApiJson.Options);
        }));

        api.MapPut("/apps/{app}/{name}/manifest", (HttpContext context, string app, string name) => Guard(async () =>
        {
            var (expected, badIfMatch) = IfMatch(context.Request);
            if (badIfMatch is not null)
                return badIfMatch;
            var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
            var manifest = ClusterOperations.ParseManifest(body);
            var change = await ops.SetManifestAsync(app, name, manifest, expected, context.RequestAborted).ConfigureAwait(false);
            await live.CatchUpAsync(change.Revision, writeVisibilityTimeout, context.RequestAborted).ConfigureAwait(false);
            return Written(context, change);
        }));

        api.MapPatch("/apps/{app}/{name}/manifest", (HttpContext context, string app, string name) => Guard(async () =>
        {
            var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
            var (scale, invalid) = ParseScale(body);
            if (invalid is not null)
                return invalid;
            var change = await ops.ScaleAsync(app, name, scale, context.RequestAborted).ConfigureAwait(false);
            await live.CatchUpAsync(change.Revision, writeVisibilityTimeout, context.RequestAborted).ConfigureAwait(false);
            return Written(context, change);
        }));

        api.MapDelete("/apps/{app}/{name}/manifest", (HttpContext context, string app, string name) => Guard(async () =>
        {
            await ops.RemoveManifestAsync(app, name, context.RequestAborted).ConfigureAwait(false);
            // The delete's revision is not returned; any read after it is at least that revision.
            var after = await etcd.RangeAsync(KeyLayout.Manifest(app, name), cancellationToken: context.RequestAborted).ConfigureAwait(false);
            await live.CatchUpAsync(after.Revision, writeVisibilityTimeout, context.RequestAborted).ConfigureAwait(false);
            return Results.NoContent();
        }));

        api.MapGet("/containers", (HttpContext context, string? app, string? name, string? host) =>
            Read(context, live, state => Projection.Containers(state, app, name, host)));

        api.MapGet("/hosts", (HttpContext context, string? name) =>
            Read(context, live, state => Projection.Hosts(state, live.Heartbeats).Where(h => Glob.IsMatch(h.Name, name)).ToList()));

        api.MapGet("/services/{name}", (HttpContext context, string name, string? app) =>
            Read(context, live, state => ServiceResolver.Resolve(state, name, app)));

        api.MapGet("/status", (HttpContext context, string? app, string? name) =>
            Read(context, live, state => Projection.Statuses(state, app, name)));

        api.MapGet("/events", (HttpContext context) => EventStream.RunAsync(context, live, stopping));
    }

    private static IResult Read<T>(HttpContext context, LiveCluster live, Func<ClusterState, T> project)
    {
        var state = live.View.Current;
        context.Response.Headers[RevisionHeader] = state.Revision.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(project(state), ApiJson.Options);
    }

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (DokkaaException e)
        {
            return Problems.Of(e);
        }
        catch (EtcdException e)
        {
            // Only the console's own direct reads get here; Core's operations wrap etcd failures already.
            return Problems.Of(new DokkaaException(DokkaaErrorKind.ClusterUnreachable, e.Message.StartsWith("etcd", StringComparison.OrdinalIgnoreCase) ? e.Message : $"etcd: {e.Message}", e));
        }
    }

    private static IResult Written(HttpContext context, ManifestChange change)
    {
        var body = new ManifestWritten(change.App, change.Name, change.Kind.ToString().ToLowerInvariant(), change.Revision, Element(change.Manifest));
        context.Response.Headers.ETag = ETag(change.Revision);
        return change.Kind == ManifestChangeKind.Created
            ? Results.Json(body, ApiJson.Options, statusCode: StatusCodes.Status201Created)
            : Results.Json(body, ApiJson.Options);
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>If-Match: "12"</c> makes the PUT write only if the manifest is still at revision 12 (<c>"0"</c>: only if absent).</summary>
    private static (long? Revision, IResult? Error) IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
            return (null, null);
        var text = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (long.TryParse(text.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
            return (revision, null);
        return (null, Problems.BadRequest("Bad If-Match", $"If-Match must be the manifest's revision as its ETag says, e.g. \"12\"; got {header}.", "DokkaaBadRequest",
            new FieldError("If-Match", "not a revision")));
    }

    /// <summary>PATCH takes <c>{"scale": N}</c> and nothing else: anything more is a PUT of the whole manifest.</summary>
    private static (int Scale, IResult? Error) ParseScale(string body)
    {
        static (int, IResult?) Bad(string path, string message) =>
            (0, Problems.BadRequest("Invalid scale request", $"{path}: {message}", "DokkaaManifestInvalid", new FieldError(path, message)));

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Bad("$", $"not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Bad("$", "must be an object such as {\"scale\": 3}");
            int? scale = null;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != ManifestSchema.Scale.Name)
                    return Bad($"$.{property.Name}", "only scale can be changed with PATCH; PUT the whole manifest to change anything else");
                if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out var value))
                    return Bad("$.scale", "must be a whole number");
                scale = value;
            }

            return scale is { } found ? (found, null) : Bad("$.scale", "is required");
        }
    }

    private static string ETag(long revision) => $"\"{revision.ToString(CultureInfo.InvariantCulture)}\"";

    private static JsonElement Element(Manifest manifest)
    {
        using var document = JsonDocument.Parse(ManifestSerializer.ToCanonicalJson(manifest));
        return document.RootElement.Clone();
    }
}
