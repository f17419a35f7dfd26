using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Dokkaa.Core.Cluster;
using Dokkaa.Dns.Limits;
using Dokkaa.Dns.Wire;
using Dokkaa.Dns.Zone;

namespace Dokkaa.Dns;

/// <summary>
/// The <c>.container</c> DNS server: a UDP socket and a TCP listener per configured endpoint, answering
/// from whatever snapshot <c>state</c> returns at the moment each query arrives (the agent passes
/// <c>() =&gt; view.Current</c>). Names outside the zone go to the upstreams, or get REFUSED.
/// UDP answers are rate limited per client prefix (<see cref="DnsServerOptions.RateLimit"/>); TCP connections
/// are shared out per client (<see cref="TcpConnectionTable"/>) and a query must arrive within
/// <see cref="DnsServerOptions.TcpQueryTimeout"/> once begun.
/// </summary>
/// <example>
/// <code>
/// await using var dns = new DnsServer(new DnsServerOptions { Listen = [DnsServerOptions.ParseEndpoint("127.0.0.1:53")] }, () =&gt; view.Current);
/// dns.Start();
/// </code>
/// </example>
public sealed class DnsServer : IAsyncDisposable
{
    private const int Created = 0;
    private const int Running = 1;
    private const int Stopped = 2;
    private const int UdpReceiveBuffer = 4 << 20;

    // A forged flood can limit many prefixes a second; one line a minute says it is happening.
    private static readonly TimeSpan RateLimitLogInterval = TimeSpan.FromMinutes(1);

    private readonly DnsServerOptions _options;
    private readonly CompiledOptions _compiled;
    private readonly Func<ClusterState> _state;
    private readonly Action<string>? _log;
    private readonly DnsForwarder? _forwarder;
    private readonly DnsCounterSet _counters = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _sockets = new();
    private readonly List<Task> _loops = new();
    private readonly TcpConnectionTable _connections;
    private readonly ResponseRateLimiter? _rateLimiter;
    private readonly TimeProvider _clock;
    private long _lastRateLimitLog = long.MinValue;
    private IReadOnlyList<IPEndPoint> _localEndpoints = [];
    private int _status;
    private int _forwardsInFlight;
    private int _stateFailing;

    /// <param name="options">Validated here (<see cref="ArgumentException"/> when invalid).</param>
    /// <param name="state">The snapshot to answer from, called once per query; keep it cheap.</param>
    /// <param name="log">Optional sink for the rare operational messages (socket errors); never per query.</param>
    public DnsServer(DnsServerOptions options, Func<ClusterState> state, Action<string>? log = null)
        : this(options, state, log, TimeProvider.System)
    {
    }

    /// <param name="clock">The rate limiter's clock (tests pass a manual one).</param>
    internal DnsServer(DnsServerOptions options, Func<ClusterState> state, Action<string>? log, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        options.Validate();
        _options = options;
        _compiled = CompiledOptions.For(options);
        _state = state;
        _log = log;
        _clock = clock;
        _connections = new TcpConnectionTable(options.MaxTcpConnections, options.MaxTcpConnectionsPerSource);
        if (options.RateLimit.Enabled)
            _rateLimiter = new ResponseRateLimiter(options.RateLimit, clock);
        if (options.Upstreams.Count > 0)
            _forwarder = new DnsForwarder(options.Upstreams.ToArray(), options.UpstreamTimeout);
    }

    public DnsServerOptions Options => _options;

    /// <summary>The endpoints actually bound (port 0 in the options resolved), in the order of <see cref="DnsServerOptions.Listen"/>; empty before <see cref="Start"/>.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndpoints => _localEndpoints;

    public DnsServerCounters Counters => _counters.Snapshot();

    /// <summary>
    /// Binds every endpoint (UDP and TCP on the same port) and starts serving. Throws
    /// <see cref="SocketException"/> when an endpoint cannot be bound (in use, or port 53 without the
    /// privilege), after closing whatever it had bound already.
    /// </summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _status, Running, Created) != Created)
            throw new InvalidOperationException("a DnsServer is started once");
        var bound = new List<(Socket Udp, Socket Tcp)>();
        try
        {
            foreach (var endpoint in _options.Listen)
                bound.Add(Bind(endpoint));
        }
        catch
        {
            foreach (var (udp, tcp) in bound)
            {
                udp.Dispose();
                tcp.Dispose();
            }

            Volatile.Write(ref _status, Stopped);
            throw;
        }

        var receivers = _options.UdpReceivers > 0 ? _options.UdpReceivers : Math.Clamp(Environment.ProcessorCount, 1, 8);
        var endpoints = new List<IPEndPoint>();
        foreach (var (udp, tcp) in bound)
        {
            _sockets.Add(udp);
            _sockets.Add(tcp);
            endpoints.Add((IPEndPoint)udp.LocalEndPoint!);
            for (var i = 0; i < receivers; i++)
                _loops.Add(Task.Factory.StartNew(() => UdpLoop(udp), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            _loops.Add(Task.Run(() => AcceptLoopAsync(tcp)));
        }

        _localEndpoints = endpoints;
    }

    /// <summary>Closes the sockets and waits for the loops and open connections to finish.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _status, Stopped) != Running)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _sockets)
            socket.Dispose();
        // The accept loops first, so that no connection is admitted after the ones closed here.
        await Task.WhenAll(_loops).ConfigureAwait(false);
        var open = _connections.Snapshot();
        foreach (var connection in open)
            connection.Close();
        await Task.WhenAll(open.Select(c => c.Served)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static (Socket Udp, Socket Tcp) Bind(IPEndPoint endpoint)
    {
        // Port 0: the free UDP port the kernel picks may be taken for TCP; then try another.
        for (var attempt = 1; ; attempt++)
        {
            var udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            Socket? tcp = null;
            try
            {
                // A burst of queries waits in the socket's buffer while the receive loops catch up; the
                // default (about 200 KiB, some 200 small datagrams) drops bursts early. The kernel caps this.
                udp.ReceiveBufferSize = UdpReceiveBuffer;
                udp.Bind(endpoint);
                var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                // Lets a restarted agent listen again while old connections sit in TIME_WAIT.
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(new IPEndPoint(endpoint.Address, port));
                tcp.Listen(512);
                return (udp, tcp);
            }
            catch (SocketException e) when (endpoint.Port == 0 && attempt < 20 && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                udp.Dispose();
                tcp?.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp?.Dispose();
                throw;
            }
        }
    }

    /// <summary>Answers one query; never throws.</summary>
    private DnsAnswer Handle(ReadOnlySpan<byte> query, DnsTransport transport, Span<byte> response)
    {
        DnsAnswer answer;
        ClusterState? state = null;
        try
        {
            state = _state();
            Volatile.Write(ref _stateFailing, 0);
        }
        catch (Exception e)
        {
            // Whatever the view does, the query gets SERVFAIL rather than silence; logged once per outage.
            if (Interlocked.Exchange(ref _stateFailing, 1) == 0)
                _log?.Invoke($"dns: the cluster state is unavailable, answering SERVFAIL: {e.Message}");
        }

        answer = state is null
            ? DnsResolverCore.Failure(query, _compiled, response)
            : DnsResolverCore.AnswerCompiled(query, state, _compiled, response, transport);
        if (answer.Action == DnsAnswerAction.Forward && Interlocked.Increment(ref _forwardsInFlight) > _options.MaxConcurrentForwards)
        {
            Interlocked.Decrement(ref _forwardsInFlight);
            _counters.ForwardFailure();
            answer = DnsResolverCore.Failure(query, _compiled, response);
        }

        Count(answer);
        return answer;
    }

    private void Count(DnsAnswer answer)
    {
        if (answer.Action == DnsAnswerAction.Respond)
            _counters.Response((int)answer.ResponseCode, answer.Truncated);
        else if (answer.Action == DnsAnswerAction.Drop)
            _counters.Dropped();
    }

    /// <summary>
    /// One receiver: a thread blocked in recvfrom, answering on the same thread. Blocking calls on a dedicated
    /// thread cost a system call per datagram each way; the asynchronous ones also went through the socket
    /// engine's epoll thread and a thread-pool hop per datagram, which held the server to about 0.65 of
    /// dnsmasq's queries per second (bench/dns.sh). Disposing the socket (StopAsync) ends the receive.
    /// </summary>
    private void UdpLoop(Socket socket)
    {
        var token = _stopping.Token;
        // A datagram can be up to 64 KiB; a smaller buffer would silently cut a long (if odd) query.
        var request = new byte[DnsConstants.MaxMessageLength];
        var response = new byte[_options.MaxUdpPayload];
        var client = new SocketAddress(socket.AddressFamily);
        while (!token.IsCancellationRequested)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(request, SocketFlags.None, client);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Linux reports nothing for an unreachable client on an unconnected socket; anything else is logged and survived.
                if (token.IsCancellationRequested)
                    return;
                _log?.Invoke($"dns: UDP receive on {socket.LocalEndPoint}: {e.SocketErrorCode}");
                continue;
            }

            _counters.UdpQuery();
            var sizeLimit = response.Length;
            if (_rateLimiter is not null && SourceAddress.TryRead(client, out var source))
            {
                var verdict = _rateLimiter.Check(source, out var limitedPrefix);
                if (verdict is RateLimitVerdict.Slip or RateLimitVerdict.Drop)
                {
                    Limited(socket, request.AsSpan(0, received), client, verdict == RateLimitVerdict.Slip, limitedPrefix, response);
                    continue;
                }

                if (verdict == RateLimitVerdict.Answer)
                    sizeLimit = Math.Min(sizeLimit, _options.RateLimit.UdpPayloadLimit);
            }

            var answer = Handle(request.AsSpan(0, received), DnsTransport.Udp, response.AsSpan(0, sizeLimit));
            if (answer.Action == DnsAnswerAction.Respond)
            {
                SendTo(socket, response.AsSpan(0, answer.Length), client);
            }
            else if (answer.Action == DnsAnswerAction.Forward)
            {
                var from = new SocketAddress(client.Family, client.Size);
                client.Buffer.Span[..client.Size].CopyTo(from.Buffer.Span);
                _ = ForwardUdpAsync(socket, request.AsSpan(0, received).ToArray(), from, sizeLimit);
            }
        }
    }

    /// <summary>A query over its prefix's rate: nothing, or with <paramref name="slip"/> header and question with TC (never larger than the query).</summary>
    private void Limited(Socket socket, ReadOnlySpan<byte> query, SocketAddress client, bool slip, SourceAddress prefix, Span<byte> response)
    {
        var answer = slip ? DnsResolverCore.Slip(query, _compiled, response) : DnsAnswer.Dropped;
        var slipped = answer.Action == DnsAnswerAction.Respond;
        _counters.RateLimited(slipped);
        if (slipped)
        {
            _counters.Response((int)answer.ResponseCode, truncated: false);
            SendTo(socket, response[..answer.Length], client);
        }

        var now = _clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastRateLimitLog);
        if ((last == long.MinValue || _clock.GetElapsedTime(last, now) >= RateLimitLogInterval) && Interlocked.CompareExchange(ref _lastRateLimitLog, now, last) == last)
        {
            var length = prefix.IsV4 ? _options.RateLimit.IPv4PrefixLength : _options.RateLimit.IPv6PrefixLength;
            _log?.Invoke($"dns: UDP answers to {prefix.ToAddress()}/{length} are over the rate limit ({_options.RateLimit.ResponsesPerSecond}/s); {Counters.RateLimited} queries limited since start");
        }
    }

    private void SendTo(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress client)
    {
        try
        {
            socket.SendTo(datagram, SocketFlags.None, client);
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException e)
        {
            _log?.Invoke($"dns: UDP send on {socket.LocalEndPoint}: {e.SocketErrorCode}");
        }
    }

    private async Task SendToAsync(Socket socket, ReadOnlyMemory<byte> datagram, SocketAddress client, CancellationToken token)
    {
        try
        {
            await socket.SendToAsync(datagram, SocketFlags.None, client, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        catch (SocketException e)
        {
            _log?.Invoke($"dns: UDP send on {socket.LocalEndPoint}: {e.SocketErrorCode}");
        }
    }

    private async Task ForwardUdpAsync(Socket socket, byte[] query, SocketAddress client, int sizeLimit)
    {
        var response = await ForwardAsync(query, DnsTransport.Udp, sizeLimit).ConfigureAwait(false);
        if (response.Count > 0)
            await SendToAsync(socket, response, client, _stopping.Token).ConfigureAwait(false);
    }

    /// <summary>Relays a query to the upstreams and returns what to send back (SERVFAIL when none answered). Never throws.</summary>
    /// <param name="sizeLimit">The largest answer for this client: a longer one is cut to header and question with TC.</param>
    private async Task<ArraySegment<byte>> ForwardAsync(byte[] query, DnsTransport transport, int sizeLimit = DnsConstants.MaxMessageLength)
    {
        try
        {
            var upstream = await _forwarder!.ForwardAsync(query, _stopping.Token).ConfigureAwait(false);
            var buffer = new byte[DnsConstants.MaxMessageLength];
            if (upstream is null)
            {
                _counters.ForwardFailure();
                var failure = DnsResolverCore.Failure(query, _compiled, buffer);
                Count(failure);
                return failure.Action == DnsAnswerAction.Respond ? new ArraySegment<byte>(buffer, 0, failure.Length) : default;
            }

            _counters.Forwarded();
            var length = DnsResolverCore.FitForwarded(query, upstream, transport, _compiled, buffer.AsSpan(0, sizeLimit));
            _counters.Response(buffer[3] & DnsConstants.RcodeMask, (buffer[2] & DnsConstants.FlagTc) != 0);
            return new ArraySegment<byte>(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            return default;
        }
        catch (Exception e)
        {
            // A forwarding bug must not take the process down from a fire-and-forget task.
            _log?.Invoke($"dns: forwarding failed: {e.Message}");
            return default;
        }
        finally
        {
            Interlocked.Decrement(ref _forwardsInFlight);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (token.IsCancellationRequested)
                    return;
                if (e.SocketErrorCode is not (SocketError.ConnectionAborted or SocketError.ConnectionReset))
                {
                    // Out of descriptors and the like: do not spin.
                    _log?.Invoke($"dns: TCP accept on {listener.LocalEndPoint}: {e.SocketErrorCode}");
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(50), token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                continue;
            }

            if (Admit(client) is { } connection)
                _ = ServeTcpAsync(connection);
        }
    }

    /// <summary>The connection, or null when its source has its share or every connection is busy (then it is closed).</summary>
    private TcpConnection? Admit(Socket client)
    {
        TcpConnection connection;
        try
        {
            connection = new TcpConnection(client, TcpConnectionTable.SourceOf(((IPEndPoint)client.RemoteEndPoint!).Address), _clock.GetTimestamp());
        }
        catch (SocketException)
        {
            // Reset before it could be looked at.
            client.Dispose();
            return null;
        }

        if (_connections.TryAdmit(connection, out var evicted) != TcpAdmission.Admitted)
        {
            _counters.TcpRefused();
            client.Dispose();
            return null;
        }

        if (evicted is not null)
        {
            _counters.TcpEvicted();
            evicted.Close();
        }

        _counters.TcpConnection();
        client.NoDelay = true;
        return connection;
    }

    /// <summary>
    /// RFC 7766: length-prefixed messages, several per connection (pipelined), answered in order. Closed when
    /// the client starts no query for the idle timeout, or takes longer than the query timeout to send the
    /// rest of one or to read its answer (a slow sender would otherwise hold the connection indefinitely).
    /// </summary>
    private async Task ServeTcpAsync(TcpConnection connection)
    {
        var client = connection.Socket;
        var request = ArrayPool<byte>.Shared.Rent(DnsConstants.MaxMessageLength);
        var response = ArrayPool<byte>.Shared.Rent(2 + DnsConstants.MaxMessageLength);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var midQuery = false;
        try
        {
            while (true)
            {
                connection.MarkIdle(_clock.GetTimestamp());
                deadline.CancelAfter(_options.TcpIdleTimeout);
                var first = await client.ReceiveAsync(request.AsMemory(0, 2), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (first == 0)
                    return;
                connection.MarkBusy();
                midQuery = true;
                deadline.CancelAfter(_options.TcpQueryTimeout);
                if (first == 1 && !await ReceiveExactlyAsync(client, request.AsMemory(1, 1), deadline.Token).ConfigureAwait(false))
                    return;
                var length = BinaryPrimitives.ReadUInt16BigEndian(request);
                if (length == 0 || !await ReceiveExactlyAsync(client, request.AsMemory(0, length), deadline.Token).ConfigureAwait(false))
                    return;
                // Answering may wait for an upstream, which has its own timeout.
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                midQuery = false;
                _counters.TcpQuery();

                var answer = Handle(request.AsSpan(0, length), DnsTransport.Tcp, response.AsSpan(2, DnsConstants.MaxMessageLength));
                var written = answer.Length;
                if (answer.Action == DnsAnswerAction.Forward)
                {
                    var forwarded = await ForwardAsync(request.AsSpan(0, length).ToArray(), DnsTransport.Tcp).ConfigureAwait(false);
                    forwarded.AsSpan().CopyTo(response.AsSpan(2));
                    written = forwarded.Count;
                }

                if (written == 0)
                    continue;
                BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)written);
                // A client that stops reading is given up on like one that stops writing.
                midQuery = true;
                deadline.CancelAfter(_options.TcpQueryTimeout);
                await SendAllAsync(client, response.AsMemory(0, 2 + written), deadline.Token).ConfigureAwait(false);
                midQuery = false;
            }
        }
        catch (OperationCanceledException) when (midQuery && !_stopping.IsCancellationRequested)
        {
            _counters.TcpSlowClosed();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Idle, stopped, evicted, or the client went away.
        }
        finally
        {
            _connections.Remove(connection);
            client.Dispose();
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(response);
            connection.Done();
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from a stream socket; false when the peer closed first.</summary>
    internal static async ValueTask<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var received = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, token).ConfigureAwait(false);
            if (received == 0)
                return false;
            filled += received;
        }

        return true;
    }

    internal static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
