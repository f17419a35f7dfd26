using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dokkaa.Core.Discovery;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// The ambassador (the Dokkaa seed's dokkaa-ambassador, in-process): one TCP listener per linked service
/// on the Docker bridge gateway. Each accepted connection goes to a live instance of the service, chosen
/// when the connection arrives, so a link keeps working when instances move between hosts. An endpoint
/// that refuses is skipped and the next one tried.
/// </summary>
public sealed class AmbassadorServer : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>At most one "no live instance" line per link in this time, with a count of the connections held back.</summary>
    public static readonly TimeSpan NoInstanceReportInterval = TimeSpan.FromSeconds(30);

    private readonly IPAddress _address;
    private readonly AmbassadorPortBook _ports;
    private readonly Func<string, string, IReadOnlyList<ServiceEndpoint>> _resolve;
    private readonly string _localHost;
    private readonly ILogger _log;
    private readonly LogThrottle _noInstanceReports;
    private readonly ConcurrentDictionary<string, Listener> _listeners = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _uses;

    public AmbassadorServer(IPAddress address, AmbassadorPortBook ports, Func<string, string, IReadOnlyList<ServiceEndpoint>> resolve, string localHost, ILogger log, TimeProvider? clock = null)
    {
        _address = address;
        _ports = ports;
        _resolve = resolve;
        _localHost = localHost;
        _log = log;
        _noInstanceReports = new LogThrottle(NoInstanceReportInterval, clock ?? TimeProvider.System);
    }

    /// <summary>The address containers reach the ambassador at (SERVICE_X_ADDR).</summary>
    public IPAddress Address => _address;

    /// <summary>Ensures a listener for <c>service.app</c> and returns its port (SERVICE_X_PORT).</summary>
    /// <exception cref="AmbassadorPortException">No port could be had for the link.</exception>
    public Task<int> EnsureListenerAsync(string service, string app, CancellationToken cancellationToken) =>
        EnsureListenerAsync(service, app, null, cancellationToken);

    /// <summary>
    /// Ensures a listener for <c>service.app</c> and returns its port (SERVICE_X_PORT); with a <paramref name="pin"/>,
    /// the listener is not released before the pin is disposed.
    /// </summary>
    /// <exception cref="AmbassadorPortException">No port could be had for the link.</exception>
    public async Task<int> EnsureListenerAsync(string service, string app, LinkPin? pin, CancellationToken cancellationToken)
    {
        // Always under the gate (no lock-free fast path): a release sweep must not close a listener between
        // our finding it and our pinning it.
        var key = AmbassadorPortBook.Key(service, app);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_listeners.TryGetValue(key, out var listener))
                listener = Open(service, app, key);
            listener.Use(NextUse(), pin is null ? 0 : 1);
            pin?.Add(() => listener.Use(NextUse(), -1));

            return listener.Port;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Where the uses of listeners stand now: <see cref="ReleaseUnusedAsync"/> keeps every listener used after this mark.</summary>
    public long Mark() => Interlocked.Read(ref _uses);

    /// <summary>
    /// Closes the listeners and forgets the booked ports of the links that no container on this host uses
    /// (<paramref name="inUse"/>, by link and port), so that ports come back when a manifest is deleted or its
    /// instances leave the host. <paramref name="mark"/> (<see cref="Mark"/>) is taken before the containers
    /// were listed: a listener used after it, or pinned, may belong to a container the list does not show yet.
    /// Returns the links released.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReleaseUnusedAsync(Func<string, int, bool> inUse, long mark, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var listener in _listeners.Values)
            {
                if (!listener.UnusedSince(mark) || inUse(listener.Key, listener.Port))
                    continue;
                _listeners.TryRemove(listener.Key, out _);
                listener.Closed = true;
                listener.Socket.Dispose();
                _noInstanceReports.Forget(listener.Key);
            }

            var released = _ports.ForgetUnless((key, port) => _listeners.ContainsKey(key) || inUse(key, port));
            if (released.Count > 0)
            {
                _log.LogInformation(
                    "Released {Count} ambassador port(s) that no container on this host uses: {Links}",
                    released.Count,
                    string.Join(", ", released.Take(20).Select(r => $"{r.Key}={r.Value}")) + (released.Count > 20 ? ", ..." : ""));
            }

            return released.Select(r => r.Key).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    private long NextUse() => Interlocked.Increment(ref _uses);

    /// <summary>Opens the listener of a link on its booked port, or on another one when that port is held by someone else. Under the gate.</summary>
    private Listener Open(string service, string app, string key)
    {
        var tried = _listeners.Values.Select(l => l.Port).ToHashSet();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = _ports.PortFor(service, app, tried.Contains);
            var socket = TryListen(port);
            if (socket is null)
            {
                // Something else holds this port on this address: forget it so the book records another.
                _log.LogWarning("Ambassador port {Port} for {Link} is in use; choosing another", port, key);
                tried.Add(port);
                _ports.Forget(service, app);
                continue;
            }

            var listener = new Listener(socket, port, service, app);
            _listeners[key] = listener;
            _ = AcceptLoopAsync(listener);
            _log.LogInformation("Ambassador for {Link} listening on {Address}:{Port}", key, _address, port);
            return listener;
        }

        throw new AmbassadorPortException($"could not open an ambassador port for link {key} on {_address}: the 50 ports tried are held by other processes");
    }

    private Socket? TryListen(int port)
    {
        var socket = new Socket(_address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(_address, port));
            socket.Listen(512);
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    private async Task AcceptLoopAsync(Listener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.Socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested || listener.Closed)
                    return;
                continue;
            }

            _ = ForwardAsync(listener, client);
        }
    }

    private async Task ForwardAsync(Listener listener, Socket client)
    {
        using var _ = client;
        var endpoints = listener.Rotation.Order(_resolve(listener.Service, listener.App), _localHost);
        foreach (var endpoint in endpoints)
        {
            var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(ConnectTimeout);
                await upstream.ConnectAsync(endpoint.Address, endpoint.Port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                upstream.Dispose();
                _log.LogDebug("Ambassador {Link}: {Address}:{Port} unreachable, trying the next", listener.Key, endpoint.Address, endpoint.Port);
                continue;
            }

            using (upstream)
            {
                client.NoDelay = true;
                await PipeAsync(client, upstream).ConfigureAwait(false);
            }

            return;
        }

        // A client that retries at once would write this line thousands of times a second.
        if (_noInstanceReports.TryPass(listener.Key, out var held))
        {
            _log.LogWarning(
                "Ambassador {Link}: no live instance to forward to ({Count} known); {Held} more connection(s) met the same since the last such line (at most one per {Interval:0}s)",
                listener.Key, endpoints.Count, held, NoInstanceReportInterval.TotalSeconds);
        }
    }

    private async Task PipeAsync(Socket a, Socket b)
    {
        using var streamA = new NetworkStream(a, ownsSocket: false);
        using var streamB = new NetworkStream(b, ownsSocket: false);
        var up = CopyThenShutdownAsync(streamA, b, streamB);
        var down = CopyThenShutdownAsync(streamB, a, streamA);
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    private async Task CopyThenShutdownAsync(NetworkStream from, Socket toSocket, NetworkStream to)
    {
        try
        {
            await from.CopyToAsync(to, 81920, _stopping.Token).ConfigureAwait(false);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: closing both ends (by the caller) is all there is to do.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners.Values)
            listener.Socket.Dispose();
        _stopping.Dispose();
        _gate.Dispose();
    }

    private sealed class Listener(Socket socket, int port, string service, string app)
    {
        private readonly object _gate = new();

        // Containers being created with this listener's port (see LinkPin), and the use counter at the last use.
        private int _pins;
        private long _lastUse;

        /// <summary>Records a use (an ensure, a pin or an unpin) numbered <paramref name="use"/>.</summary>
        public void Use(long use, int pinChange)
        {
            lock (_gate)
            {
                _lastUse = Math.Max(_lastUse, use);
                _pins += pinChange;
            }
        }

        /// <summary>Not pinned, and not used after <paramref name="mark"/>.</summary>
        public bool UnusedSince(long mark)
        {
            lock (_gate)
                return _pins == 0 && _lastUse <= mark;
        }

        /// <summary>Released: its accept loop ends instead of retrying on the closed socket.</summary>
        public volatile bool Closed;

        public Socket Socket { get; } = socket;
        public int Port { get; } = port;
        public string Service { get; } = service;
        public string App { get; } = app;
        public string Key { get; } = AmbassadorPortBook.Key(service, app);
        public EndpointRotation Rotation { get; } = new();
    }
}
