using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;

namespace Dokkaa.Agent.Http;

/// <summary>
/// Renders the nginx configurations. Pure: the same snapshot and options always give the same text, byte
/// for byte (host names, upstream servers and listen addresses are sorted), so the supervisor can compare
/// texts and reload only when something really changed.
/// <para><see cref="Render"/> writes the router (nginx.conf):</para>
/// <list type="bullet">
/// <item>One <c>server</c> per <c>http.host</c>, proxying to an upstream of every running instance in the
/// cluster (the claim's host address and the host port published for <c>http.port/tcp</c>), with
/// <c>Host</c>, <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>, <c>X-Real-IP</c> and WebSocket upgrade;
/// an instance that refuses, fails or returns 502 is skipped for the next one.</item>
/// <item>A host whose manifests have no running instance answers 503 with a plain-text reason.</item>
/// <item>A <c>default_server</c> answers 404 for any other Host header, so an unknown name never reaches
/// some other application.</item>
/// <item>A host name declared by several manifests is routed to its owner only (<see cref="HttpHostOwners"/>: the
/// manifest created first); the others are left out, and their status says who serves the name.</item>
/// <item>nginx's own failures (no instance answered, the router unreachable from the front, an internal error) are
/// answered with a plain-text reason and the <see cref="ErrorHeader"/> header, so the route check after a reload
/// (<see cref="NginxRouteCheck"/>) tells them from an application's own 5xx, which passes unchanged.</item>
/// <item>Nothing from a manifest or claim reaches the text unchecked: host names are re-validated with
/// <see cref="HttpHostName"/>, addresses must parse as IP addresses and are written in their normalised form,
/// ports are integers in range, and comments only carry sanitised ids. What fails is left out and reported
/// in <see cref="NginxConfig.Problems"/>.</item>
/// </list>
/// <para>With <see cref="NginxOptions.Front"/> the router listens on a unix socket and <see cref="RenderFront"/>
/// writes the front (front.conf) that listens on the HTTP addresses; without it the router listens there itself.</para>
/// </summary>
public static class NginxConfigRenderer
{
    /// <summary>Path on the control socket where nginx answers with <see cref="NginxConfig.Hash"/>.</summary>
    public const string ControlPath = "/dokkaa/config";

    /// <summary>Response header on the answers nginx makes up itself when a request could not be passed on; its value is one of the failure tokens below.</summary>
    public const string ErrorHeader = "X-Dokkaa-Error";

    /// <summary><see cref="ErrorHeader"/>: every instance of the route refused, failed or timed out (502/504 made by the router).</summary>
    public const string NoInstanceAnswered = "no-instance-answered";

    /// <summary><see cref="ErrorHeader"/>: the router failed the request itself (500: e.g. a temp file it cannot write).</summary>
    public const string RouterFailed = "router-failed";

    /// <summary><see cref="ErrorHeader"/>: the front could not reach the router on its unix socket (502/504 made by the front).</summary>
    public const string RouterUnreachable = "router-unreachable";

    /// <summary>The routing nginx's configuration (nginx.conf) for <paramref name="state"/>.</summary>
    public static NginxConfig Render(ClusterState state, NginxOptions options)
    {
        var listen = options.Front
            ? new[] { $"unix:{options.RouterSocketPath}" }
            : options.ListenEndpoints().Select(FormatEndpoint).Order(StringComparer.Ordinal).ToArray();
        var (routes, problems) = CollectRoutes(state);

        var w = new ConfigWriter();
        w.Line("# Written by dokkaa-agent from the cluster state and replaced on every change: do not edit.");
        if (options.Front)
            w.Line("# The router: the front nginx (front.conf) hands it every request over a unix socket.");
        WriteMain(w, options, options.PidPath, "");
        var (bucketSize, maxSize) = ServerNamesHash(routes.Select(r => r.Host).Append("_").ToArray());
        w.Line($"server_names_hash_bucket_size {bucketSize};");
        w.Line($"server_names_hash_max_size {maxSize};");
        WriteProxySettings(w, fromFront: options.Front);
        w.Line($"proxy_connect_timeout {Duration(options.ProxyConnectTimeout)};");
        w.Line($"proxy_send_timeout {Duration(options.ProxyReadTimeout)};");
        w.Line($"proxy_read_timeout {Duration(options.ProxyReadTimeout)};");
        w.Line("# A dead, refusing or failing instance is skipped: the request goes to the next one.");
        w.Line("proxy_next_upstream error timeout http_502;");
        w.Line();
        w.Line("# Any Host header without a route: 404, never some other application.");
        w.Open("server");
        foreach (var address in listen)
            w.Line($"listen {address} default_server;");
        w.Line("server_name _;");
        w.Open("location /");
        w.Line("return 404 \"dokkaa: no application is routed for this Host header\\n\";");
        w.Close();
        w.Close();

        foreach (var route in routes)
        {
            w.Line();
            var upstream = "dokkaa_" + route.Host.Replace('.', '_');
            w.Line($"# {route.Host}: {Comment(route.Manifest.ToString())}{(route.Endpoints.Count == 0 ? " (no running instance)" : "")}");
            if (route.Endpoints.Count > 0)
            {
                w.Open($"upstream {upstream}");
                foreach (var endpoint in route.Endpoints)
                    w.Line($"server {endpoint.Address}; # {string.Join(", ", endpoint.Instances.Select(Comment))}");
                if (options.UpstreamKeepalive > 0)
                    w.Line($"keepalive {options.UpstreamKeepalive.ToString(CultureInfo.InvariantCulture)};");
                w.Close();
                w.Line();
            }

            w.Open("server");
            foreach (var address in listen)
                w.Line($"listen {address};");
            w.Line($"server_name {route.Host};");
            w.Open("location /");
            if (route.Endpoints.Count > 0)
                w.Line($"proxy_pass http://{upstream};");
            else
                w.Line($"return 503 \"dokkaa: {route.Host} has no running instance\\n\";");
            w.Close();
            if (route.Endpoints.Count > 0)
            {
                w.Line("error_page 502 504 @dokkaa_no_instance_answered;");
                w.Line("error_page 500 @dokkaa_router_failed;");
                WriteErrorLocation(w, "dokkaa_no_instance_answered", 502, NoInstanceAnswered, $"no instance of {route.Host} answered");
                WriteErrorLocation(w, "dokkaa_router_failed", 500, RouterFailed, $"nginx failed to pass the request for {route.Host} on");
            }

            w.Close();
        }

        var summaries = routes
            .Select(r => new HttpRouteSummary(r.Host, r.Manifest, r.Endpoints.Select(e => e.Address).ToArray()))
            .ToArray();
        var (text, hash) = WriteControlAndClose(w, options.ControlSocketPath);
        return new NginxConfig(text, hash, summaries, problems);
    }

    /// <summary>
    /// The front nginx's configuration (front.conf, see <see cref="NginxOptions.Front"/>): it depends on the
    /// options only, so it is written once and never reloaded. It listens on the HTTP addresses, adds the
    /// forwarding headers and passes every request, unbuffered, to the router on a new unix-socket
    /// connection: with no idle connection kept to the router, a reload of the router has nothing to cut.
    /// </summary>
    public static NginxConfig RenderFront(NginxOptions options)
    {
        var listen = options.ListenEndpoints().Select(FormatEndpoint).Order(StringComparer.Ordinal).ToArray();
        var w = new ConfigWriter();
        w.Line("# Written by dokkaa-agent: the front nginx. It listens on the HTTP addresses and is never reloaded;");
        w.Line("# every request goes to the router (nginx.conf) on a new unix-socket connection.");
        WriteMain(w, options, options.FrontPidPath, "front_");
        w.Line("# The router applies the limits.");
        w.Line("client_max_body_size 0;");
        WriteProxySettings(w, fromFront: false);
        w.Line("proxy_buffering off;");
        w.Line("proxy_request_buffering off;");
        w.Line("# Only a connection error is tried again (idempotent requests, or any request not yet sent); the router answers timeouts itself.");
        w.Line("proxy_next_upstream error;");
        w.Line($"proxy_connect_timeout {Duration(options.ProxyConnectTimeout)};");
        // Longer than the router's, so that the router's own timeout answers first.
        w.Line($"proxy_send_timeout {Duration(options.ProxyReadTimeout + TimeSpan.FromSeconds(5))};");
        w.Line($"proxy_read_timeout {Duration(options.ProxyReadTimeout + TimeSpan.FromSeconds(5))};");
        w.Line();
        w.Line("# The same router twice: a request whose connection the router drops unanswered (an old worker");
        w.Line("# shutting down) is tried once more, on a new connection. max_fails=0: never taken out of service.");
        w.Open("upstream dokkaa_router");
        w.Line($"server unix:{options.RouterSocketPath} max_fails=0;");
        w.Line($"server unix:{options.RouterSocketPath} max_fails=0;");
        w.Close();
        w.Line();
        w.Open("server");
        foreach (var address in listen)
            w.Line($"listen {address} default_server;");
        w.Line("server_name _;");
        w.Open("location /");
        w.Line("proxy_pass http://dokkaa_router;");
        w.Close();
        w.Line("error_page 500 502 504 @dokkaa_router_unreachable;");
        WriteErrorLocation(w, "dokkaa_router_unreachable", 502, RouterUnreachable, "the front nginx could not pass the request to the routing nginx");
        w.Close();
        var (text, hash) = WriteControlAndClose(w, options.FrontControlSocketPath);
        return new NginxConfig(text, hash, Array.Empty<HttpRouteSummary>(), Array.Empty<HttpRouteProblem>());
    }

    /// <summary>A named location answering <paramref name="status"/> with a reason and the <see cref="ErrorHeader"/> token (only nginx's own errors get here; an upstream's pass unchanged).</summary>
    private static void WriteErrorLocation(ConfigWriter w, string name, int status, string token, string reason)
    {
        w.Open($"location @{name}");
        w.Line($"add_header {ErrorHeader} {token} always;");
        w.Line($"return {status.ToString(CultureInfo.InvariantCulture)} \"dokkaa: {reason}\\n\";");
        w.Close();
    }

    private static void WriteMain(ConfigWriter w, NginxOptions options, string pidPath, string tempPrefix)
    {
        w.Line($"worker_processes {(options.WorkerProcesses == 0 ? "auto" : options.WorkerProcesses.ToString(CultureInfo.InvariantCulture))};");
        w.Line($"worker_shutdown_timeout {Duration(options.WorkerShutdownTimeout)};");
        w.Line($"pid {pidPath};");
        w.Line($"error_log {options.ErrorLogPath} warn;");
        w.Line();
        w.Open("events");
        w.Line($"worker_connections {options.WorkerConnections.ToString(CultureInfo.InvariantCulture)};");
        w.Close();
        w.Line();
        w.Open("http");
        w.Line("access_log off;");
        w.Line("server_tokens off;");
        w.Line("default_type text/plain;");
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
            w.Line($"{temp}_temp_path {Path.Combine(options.RuntimeDir, tempPrefix + temp + "_temp")};");
    }

    /// <summary>
    /// Headers to the next hop. The nginx that faces clients adds the forwarding headers; a router behind the
    /// front passes on the ones the front set (its own client is the front, on a unix socket).
    /// </summary>
    private static void WriteProxySettings(ConfigWriter w, bool fromFront)
    {
        w.Line();
        w.Line("# WebSocket: Upgrade is passed through; other requests send no Connection header (upstream keep-alive).");
        w.Open("map $http_upgrade $connection_upgrade");
        w.Line("default upgrade;");
        w.Line("'' '';");
        w.Close();
        w.Line();
        w.Line("proxy_http_version 1.1;");
        w.Line("proxy_set_header Host $host;");
        w.Line("proxy_set_header Upgrade $http_upgrade;");
        w.Line("proxy_set_header Connection $connection_upgrade;");
        if (fromFront)
        {
            w.Line("proxy_set_header X-Forwarded-For $http_x_forwarded_for;");
            w.Line("proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;");
            w.Line("proxy_set_header X-Real-IP $http_x_real_ip;");
        }
        else
        {
            w.Line("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
            w.Line("proxy_set_header X-Forwarded-Proto $scheme;");
            w.Line("proxy_set_header X-Real-IP $remote_addr;");
        }
    }

    /// <summary>Adds the control server, whose answer is the hash of everything above it, and closes the http block.</summary>
    private static (string Text, string Hash) WriteControlAndClose(ConfigWriter w, string socketPath)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(w.ToString())))[..16];
        w.Line();
        w.Line("# The agent reads the hash of the configuration nginx serves here, to know when a reload has taken effect.");
        w.Open("server");
        w.Line($"listen unix:{socketPath};");
        w.Open($"location = {ControlPath}");
        w.Line($"return 200 \"{hash}\\n\";");
        w.Close();
        w.Open("location /");
        w.Line("return 404;");
        w.Close();
        w.Close();
        w.Close();
        return (w.ToString(), hash);
    }

    private sealed record Endpoint(string Address, List<string> Instances);

    private sealed record Route(string Host, ManifestId Manifest, List<Endpoint> Endpoints);

    private static (List<Route> Routes, List<HttpRouteProblem> Problems) CollectRoutes(ClusterState state)
    {
        var routes = new SortedDictionary<string, Route>(StringComparer.Ordinal);
        var endpoints = new Dictionary<string, List<(IPAddress Ip, int Port, string Instance)>>(StringComparer.Ordinal);
        var problems = new List<HttpRouteProblem>();
        var owners = HttpHostOwners.Of(state);

        foreach (var (id, entry) in state.Manifests)
        {
            // A manifest that does not own its host name is not routed; the status calculator says so.
            if (entry.Effective is not { Http: { } http } manifest || !owners.Serves(entry))
                continue;
            if (HttpHostName.Check(http.Host) is { } reason)
            {
                problems.Add(new HttpRouteProblem(id, $"http.host {Quote(http.Host)} {reason}; no route was written for it"));
                continue;
            }

            if (http.Port is < 1 or > 65535)
            {
                problems.Add(new HttpRouteProblem(id, $"http.port {http.Port} is out of range 1-65535; no route was written for {http.Host}"));
                continue;
            }

            routes.Add(http.Host, new Route(http.Host, id, new List<Endpoint>()));
            endpoints.Add(http.Host, new());
            CollectInstances(state, id, manifest, http, endpoints[http.Host], problems);
        }

        foreach (var route in routes.Values)
        {
            var ordered = endpoints[route.Host]
                .OrderBy(e => e.Ip, AddressOrder.Instance)
                .ThenBy(e => e.Port)
                .GroupBy(e => FormatEndpoint(new IPEndPoint(e.Ip, e.Port)), StringComparer.Ordinal);
            foreach (var group in ordered)
                route.Endpoints.Add(new Endpoint(group.Key, group.Select(e => e.Instance).ToList()));
        }

        return (routes.Values.ToList(), problems);
    }

    private static void CollectInstances(ClusterState state, ManifestId id, Manifest manifest, HttpRoute http, List<(IPAddress, int, string)> into, List<HttpRouteProblem> problems)
    {
        var portKey = $"{http.Port.ToString(CultureInfo.InvariantCulture)}/tcp";
        foreach (var claim in ServingInstances.Of(state, id, manifest))
        {
            var record = claim.Record;
            var instance = $"instance {claim.Id.Instance.ToString(CultureInfo.InvariantCulture)}";
            if (!record.Ports.TryGetValue(portKey, out var hostPort))
            {
                problems.Add(new HttpRouteProblem(id, $"{instance} runs but publishes no {portKey}; it gets no {http.Host} requests"));
                continue;
            }

            if (hostPort is < 1 or > 65535)
            {
                problems.Add(new HttpRouteProblem(id, $"{instance} publishes {portKey} on port {hostPort}, out of range; it gets no {http.Host} requests"));
                continue;
            }

            if (ParseAddress(record.Address) is not { } ip)
            {
                problems.Add(new HttpRouteProblem(id, $"{instance} has address {Quote(record.Address)}, not a usable IP address; it gets no {http.Host} requests"));
                continue;
            }

            into.Add((ip, hostPort, Comment($"{id}/{claim.Id.Instance.ToString(CultureInfo.InvariantCulture)} on {record.Host}")));
        }
    }

    /// <summary>An IPv4 dotted quad or an IPv6 address without zone, not unspecified; null otherwise.</summary>
    private static IPAddress? ParseAddress(string? text)
    {
        if (string.IsNullOrEmpty(text) || !IPAddress.TryParse(text, out var ip))
            return null;
        if (ip.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3)
            return null;
        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && (ip.ScopeId != 0 || text.Contains('%')))
            return null;
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            return null;
        return ip;
    }

    private static string FormatEndpoint(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endpoint.Address}]:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endpoint.Address}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// nginx refuses to start when the longest server name does not fit in a hash bucket (pointer, name and
    /// two bytes, aligned, plus the terminating pointer), so the bucket size follows the longest name; a few
    /// names per bucket keep the hash easy to build.
    /// </summary>
    private static (int BucketSize, int MaxSize) ServerNamesHash(IReadOnlyCollection<string> names)
    {
        var longest = names.Max(n => n.Length);
        var element = 8 + ((longest + 2 + 7) & ~7) + 8;
        var bucket = Math.Max(128, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(element * 4)));
        var maxSize = Math.Max(1024, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(names.Count * 2)));
        return (bucket, maxSize);
    }

    private static string Duration(TimeSpan value)
    {
        var ms = (long)Math.Ceiling(value.TotalMilliseconds);
        return ms % 1000 == 0 ? $"{(ms / 1000).ToString(CultureInfo.InvariantCulture)}s" : $"{ms.ToString(CultureInfo.InvariantCulture)}ms";
    }

    /// <summary>Comment text: ids as they are when harmless, any other character replaced, so nothing ends the comment line.</summary>
    private static string Comment(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 120));
        foreach (var c in text.Length > 120 ? text[..120] : text)
            sb.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '/' or '-' or ' ' ? c : '?');
        return sb.ToString();
    }

    /// <summary>A value for a problem message (logs and status), with control characters made visible.</summary>
    private static string Quote(string? value)
    {
        if (value is null)
            return "(none)";
        var sb = new StringBuilder("\"");
        foreach (var c in value.Length > 80 ? value[..80] : value)
        {
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return sb.Append(value.Length > 80 ? "...\"" : "\"").ToString();
    }

    private sealed class AddressOrder : IComparer<IPAddress>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare(IPAddress? x, IPAddress? y)
        {
            var a = x!.GetAddressBytes();
            var b = y!.GetAddressBytes();
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.AsSpan().SequenceCompareTo(b);
        }
    }

    private sealed class ConfigWriter
    {
        private readonly StringBuilder _text = new();
        private int _depth;

        public void Line(string line = "")
        {
            if (line.Length > 0)
                _text.Append(' ', _depth * 4).Append(line);
            _text.Append('\n');
        }

        public void Open(string block)
        {
            Line(block + " {");
            _depth++;
        }

        public void Close()
        {
            _depth--;
            Line("}");
        }

        public override string ToString() => _text.ToString();
    }
}
