namespace Dokkaa.Core.Etcd;

/// <summary>
/// Where etcd is and how patiently to talk to it. Every member of a cluster can be listed: the client
/// uses the one that last answered and moves on to the next when it stops answering.
/// </summary>
public sealed record EtcdClientOptions
{
    public EtcdClientOptions(IReadOnlyList<Uri> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
            throw new ArgumentException("At least one etcd endpoint is needed.", nameof(endpoints));
        foreach (var endpoint in endpoints)
        {
            if (endpoint is null || !endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
                throw new ArgumentException($"etcd endpoint '{endpoint}' is not an absolute http:// or https:// URL.", nameof(endpoints));
        }

        Endpoints = endpoints.ToArray();
    }

    /// <summary>The client URLs of the etcd members, e.g. http://10.0.0.1:2379.</summary>
    public IReadOnlyList<Uri> Endpoints { get; private init; }

    /// <summary>How long one request may take on one endpoint before the client gives up on that endpoint.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long opening a TCP connection may take. Kept short so a dead member is passed over quickly.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// TCP keepalive on every connection (idle time before the first probe; zero turns it off). This is what
    /// notices a watch whose peer vanished (host died, cable cut) without closing the connection: after
    /// idle + interval x count of silence the kernel resets the connection and the watch reconnects.
    /// </summary>
    public TimeSpan TcpKeepAliveTime { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan TcpKeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    public int TcpKeepAliveRetryCount { get; init; } = 3;

    /// <summary>
    /// A watch that receives nothing at all (no event, no progress notification) for this long is assumed
    /// stuck (a hung member keeps the TCP connection alive, so keepalive cannot see it) and is reopened
    /// from the last delivered revision. Watches ask for progress notifications, which etcd sends every
    /// --experimental-watch-progress-notify-interval (10 minutes by default), so keep this above that
    /// interval. <see cref="Timeout.InfiniteTimeSpan"/> turns the check off.
    /// </summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromMinutes(11);

    /// <summary>First pause before a broken watch is reopened; doubles per failure up to <see cref="WatchMaxReconnectDelay"/>.</summary>
    public TimeSpan WatchReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan WatchMaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Ask etcd to refuse requests and end watches on a member that has lost its leader (every call carries
    /// etcd's "hasleader: true" gRPC metadata). Without it a watch on a
    /// member cut off from the quorum stays open and silent forever, and writes to it wait for a timeout
    /// whose outcome is unknown instead of failing at once so that another member can be tried.
    /// </summary>
    public bool RequireLeader { get; init; } = true;

    /// <summary>
    /// PEM file of the certificate authority that signed etcd's server certificates. With it the client
    /// trusts only that CA (not the system store) for https:// endpoints.
    /// </summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate shown to etcd (etcd started with --client-cert-auth). Needs <see cref="KeyFile"/>.</summary>
    public string? CertFile { get; init; }

    /// <summary>PEM private key of <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>etcd user (etcd auth enabled). Needs <see cref="Password"/>.</summary>
    public string? Username { get; init; }

    /// <summary>Password of <see cref="Username"/>. Read from a file or the environment by the faces, never from a command line.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// Told, in one line of text, about trouble the client handles by itself (a watch reconnecting, and why),
    /// so that a host can log it. Core has no logging dependency; the agent wires this to its logger.
    /// </summary>
    public Action<string>? Diagnostics { get; init; }

    /// <summary>The same settings (TLS, user, timeouts) for one member of <see cref="Endpoints"/> only.</summary>
    public EtcdClientOptions ForMember(Uri endpoint)
    {
        if (!Endpoints.Contains(endpoint))
            throw new ArgumentException($"{endpoint} is not one of this client's endpoints.", nameof(endpoint));
        return this with { Endpoints = [endpoint] };
    }

    // A record prints every property; the password must never reach a log or an error message.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Endpoints = ").Append(string.Join(',', Endpoints));
        if (Username is not null)
            builder.Append(", Username = ").Append(Username);
        if (CertFile is not null)
            builder.Append(", CertFile = ").Append(CertFile);
        return true;
    }

    /// <summary>
    /// Reads a comma- (or space-) separated endpoint list such as "http://a:2379,http://b:2379".
    /// An entry without a scheme ("127.0.0.1:2379") is taken as http.
    /// </summary>
    public static EtcdClientOptions Parse(string endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var uris = new List<Uri>();
        foreach (var part in endpoints.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var text = part.Contains("://", StringComparison.Ordinal) ? part : "http://" + part;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
                throw new FormatException($"'{part}' is not an etcd endpoint URL.");
            uris.Add(uri);
        }

        if (uris.Count == 0)
            throw new FormatException("The etcd endpoint list is empty.");
        return new EtcdClientOptions(uris);
    }
}
