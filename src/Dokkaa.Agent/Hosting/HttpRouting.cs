using Dokkaa.Agent.Http;
using Dokkaa.Agent.Membership;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Threading;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Hosting;

/// <summary>
/// nginx for the manifests' http hosts, as far as this host can run it. A host that cannot (port taken, nginx
/// missing) keeps running its containers and says why in its host record: HTTP routing is one face of the cluster,
/// not its heart.
/// </summary>
internal sealed class HttpRouting : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly ClusterView _view;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;

    // Read by the host record; set once nginx started (or could not).
    private volatile NginxSupervisor? _nginx;
    private volatile string? _error;

    public HttpRouting(AgentOptions options, ClusterView view, ILoggerFactory logs, TimeProvider clock)
    {
        _options = options;
        _view = view;
        _logs = logs;
        _log = logs.CreateLogger("dokkaa.agent");
        _clock = clock;
    }

    /// <summary>nginx once it runs; null while it cannot, or when HTTP routing is off.</summary>
    public NginxSupervisor? Nginx => _nginx;

    /// <summary>Why HTTP routing is off on this host; null while it runs or is off by flag.</summary>
    public string? Error => _error;

    /// <summary>
    /// Starts nginx and connects it to the view and the host record; false (and the reason in <see cref="Error"/>)
    /// when it cannot run. HTTP routing off by flag counts as started.
    /// </summary>
    public async Task<bool> TryStartAsync(HostRecordPublisher publisher, CancellationToken cancellationToken)
    {
        if (_options.HttpListen.Count == 0)
            return true;
        var nginx = await StartAsync(cancellationToken).ConfigureAwait(false);
        if (nginx is not null)
        {
            _view.Changed += nginx.Update;
            nginx.RouteErrorsChanged += publisher.Wake;
            // Changes that arrived while it started.
            nginx.Update(_view.Current);
            _error = null;
            _nginx = nginx;
        }

        publisher.Wake();
        return nginx is not null;
    }

    /// <summary>
    /// While nginx cannot run (its port taken, say), tries again with backoff (1 s doubling to 60 s), so routing comes
    /// back by itself once the cause is gone, and the status error with it.
    /// </summary>
    public async Task KeepTryingAsync(HostRecordPublisher publisher, CancellationToken cancellationToken)
    {
        for (var attempt = 0; _nginx is null && _options.HttpListen.Count > 0; attempt++)
        {
            await Task.Delay(RetryDelay.After(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), attempt), _clock, cancellationToken).ConfigureAwait(false);
            await TryStartAsync(publisher, cancellationToken).ConfigureAwait(false);
        }

        // A loop that ends would end the agent: this one has nothing left to do.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_nginx is { } nginx)
            await nginx.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<NginxSupervisor?> StartAsync(CancellationToken cancellationToken)
    {
        var supervisor = new NginxSupervisor(
            new NginxOptions { StateDir = Path.Combine(_options.DataDir, "nginx"), Listen = _options.HttpListen },
            _logs.CreateLogger("dokkaa.nginx"));
        try
        {
            await supervisor.StartAsync(_view.Current, cancellationToken).ConfigureAwait(false);
            _log.LogInformation("nginx serving http hosts on {Listen}", string.Join(", ", _options.HttpListen));
            return supervisor;
        }
        catch (NginxException e)
        {
            _log.LogError("HTTP routing is off on this host: {Error}", e.Message);
            _error = e.Message;
            await supervisor.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }
}
