using System.Net;
using System.Security.Cryptography;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Operations;
using Dokkaa.WebConsole.Api;
using Dokkaa.WebConsole.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dokkaa.WebConsole.Hosting;

/// <summary>
/// The web console and HTTP API in one Kestrel server. <c>dokkaa console</c> starts one; an agent can host
/// one too by passing its etcd client and the <see cref="ClusterView"/> it already follows:
/// <code>await using var console = await ConsoleServer.StartAsync(etcd, new ConsoleServerOptions { Listen = ... }, view, ct);</code>
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LiveCluster _live;

    private ConsoleServer(WebApplication app, LiveCluster live, IPEndPoint endpoint, string token, bool tokenGenerated)
    {
        _app = app;
        _live = live;
        Endpoint = endpoint;
        Token = token;
        TokenGenerated = tokenGenerated;
    }

    /// <summary>The address actually bound (the real port when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The page's URL, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri Url => new($"http://{(Endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : Endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : Endpoint.Address).ToUriHost()}:{Endpoint.Port}/");

    /// <summary>The bearer token writes need.</summary>
    public string Token { get; }

    /// <summary>True when no token was configured and <see cref="Token"/> was generated (so it must be shown to the operator).</summary>
    public bool TokenGenerated { get; }

    /// <summary>Every route served, as (method, pattern): the OpenAPI document is checked against this list.</summary>
    public IReadOnlyList<(string Method, string Pattern)> Routes =>
        ((IEndpointRouteBuilder)_app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
        .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? new[] { "*" }).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
        .ToList();

    /// <summary>
    /// Validates the options, reads the cluster once (failing with <see cref="DokkaaErrorKind.ClusterUnreachable"/> if etcd
    /// does not answer), binds and starts serving. With <paramref name="view"/> null the server follows its own
    /// watch; otherwise it uses the caller's view, which the caller must keep following.
    /// </summary>
    /// <exception cref="ConsoleConfigurationException">Non-loopback address without AllowRemote, an unusable token, or the address is taken.</exception>
    public static async Task<ConsoleServer> StartAsync(IEtcdClient etcd, ConsoleServerOptions options, ClusterView? view = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        ArgumentNullException.ThrowIfNull(options);
        ListenAddress.Check(options.Listen, options.AllowRemote);
        var token = options.Token;
        if (token is not null && (token.Length == 0 || token.Any(char.IsWhiteSpace) || token.Length > 512))
            throw new ConsoleConfigurationException("the token must be 1 to 512 characters without spaces.");
        var generated = token is null;
        token ??= Base64Url(RandomNumberGenerator.GetBytes(24));

        var follow = view is null;
        view ??= new ClusterView(etcd);
        if (follow)
        {
            try
            {
                await view.LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException e)
            {
                var message = e.Message.StartsWith("etcd", StringComparison.OrdinalIgnoreCase) ? e.Message : $"etcd: {e.Message}";
                throw new DokkaaException(DokkaaErrorKind.ClusterUnreachable, message, e);
            }
        }

        var live = new LiveCluster(view, etcd, options.HeartbeatInterval);

        // The empty builder reads no appsettings.json, ASPNETCORE_* variables or command line: nothing but these
        // options decides where this listens.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(ConsoleServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Listen(options.Listen);
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();

        var policy = new AccessPolicy(token, options.AllowRemote);
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            var decision = policy.Check(context);
            if (decision == AccessDecision.Allowed)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var problem = AccessPolicy.Refusal(decision);
            if (problem.Status == StatusCodes.Status401Unauthorized)
                context.Response.Headers.WWWAuthenticate = decision == AccessDecision.TokenWrong ? "Bearer realm=\"dokkaa\", error=\"invalid_token\"" : "Bearer realm=\"dokkaa\"";
            await Problems.Result(problem).ExecuteAsync(context).ConfigureAwait(false);
        });
        app.UseRouting();
        ApiEndpoints.Map(app, etcd, live, options.WriteVisibilityTimeout, app.Lifetime.ApplicationStopping);
        EmbeddedAssets.Map(app);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await live.DisposeAsync().ConfigureAwait(false);
            throw new ConsoleConfigurationException($"cannot listen on {options.Listen}: {e.Message}", e);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).First();
        live.Start(follow);
        var endpoint = new IPEndPoint(options.Listen.Address, bound.Port);
        return new ConsoleServer(app, live, endpoint, token, generated);
    }

    /// <summary>Stops serving (open event streams end at once) and stops following the watch.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _live.DisposeAsync().ConfigureAwait(false);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal static class AddressExtensions
{
    public static string ToUriHost(this IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
