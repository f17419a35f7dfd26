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
    private readonly IPAddress _address;
    private readonly AmbassadorPortBook _ports;
    private readonly Func<string, string, IReadOnlyList<ServiceEndpoint>> _resolve;
    private readonly string _localHost;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Listener> _listeners = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public AmbassadorServer(IPAddress address, AmbassadorPortBook ports, Func<string, string, IReadOnlyList<ServiceEndpoint>> resolve, string localHost, ILogger log)
    {
        _address = address;
        _ports = ports;
        _resolve = resolve;
        _localHost = localHost;
        _log = log;
    }

    /// <summary>The address containers reach the ambassador at (SERVICE_X_ADDR).</summary>
    public IPAddress Address => _address;

    /// <summary>Ensures a listener for <c>service.app</c> and returns its port (SERVICE_X_PORT).</summary>
    public async Task<int> EnsureListenerAsync(string service, string app, CancellationToken cancellationToken)
    {
        var key = $"{service}.{app}";
        if (_listeners.TryGetValue(key, out var existing))
            return existing.Port;

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_listeners.TryGetValue(key, out existing))
                return existing.Port;
            var tried = new HashSet<int>();
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var port = _ports.PortFor(service, app, candidate => tried.Contains(candidate) || _listeners.Values.Any(l => l.Port == candidate));
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
                return port;
            }

            throw new InvalidOperationException($"could not open an ambassador port for link {key} on {_address}");
        }
        finally
        {
            _gate.Release();
        }
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
                if (_stopping.IsCancellationRequested)
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

        _log.LogWarning("Ambassador {Link}: no live instance to forward to ({Count} known)", listener.Key, endpoints.Count);
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

    private sealed record Listener(Socket Socket, int Port, string Service, string App)
    {
        public string Key => $"{Service}.{App}";
        public EndpointRotation Rotation { get; } = new();
    }
}
