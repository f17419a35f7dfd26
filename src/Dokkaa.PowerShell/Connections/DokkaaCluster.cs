using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.EtcdAccess;
using Dokkaa.Core.Operations;
using Dokkaa.Etcd;

namespace Dokkaa.PowerShell;

/// <summary>Where a cmdlet's cluster came from, in the order they are tried.</summary>
public enum ClusterSource
{
    /// <summary>The cmdlet's <c>-Cluster</c> parameter.</summary>
    Parameter,

    /// <summary><c>Connect-DokkaaCluster</c> in this session.</summary>
    Session,

    /// <summary>The <c>DOKKAA_ETCD</c> environment variable.</summary>
    Environment,

    /// <summary>Nothing else was given: <c>http://127.0.0.1:2379</c>, as the CLI and the agent do.</summary>
    Default,
}

/// <summary>
/// A Dokkaa cluster as the cmdlets address it: the client URLs of its etcd members. Cheap to create;
/// the HTTP connections behind it are shared by every object with the same endpoints in the process,
/// so <c>-Cluster 'http://a:2379'</c> on every call does not open new connections each time.
/// </summary>
public sealed class DokkaaCluster
{
    /// <summary>The environment variable the cmdlets, the CLI and the agent read the endpoints from.</summary>
    public const string EnvironmentVariable = EtcdEnvironment.Endpoints;

    /// <summary>The endpoint used when nothing else says where etcd is.</summary>
    public const string DefaultEndpoint = EtcdEnvironment.DefaultEndpoint;

    private static readonly ConcurrentDictionary<string, Lazy<Connection>> Connections = new(StringComparer.Ordinal);

    private readonly Connection _connection;

    private DokkaaCluster(Connection connection, ClusterSource source, DateTimeOffset? connectedAt)
    {
        _connection = connection;
        Source = source;
        ConnectedAt = connectedAt;
    }

    /// <summary>The etcd client URLs, in the order the client tries them.</summary>
    public string[] Endpoints => _connection.Endpoints.ToArray();

    public ClusterSource Source { get; }

    /// <summary>When <c>Connect-DokkaaCluster</c> made this the session's cluster (null otherwise).</summary>
    public DateTimeOffset? ConnectedAt { get; }

    /// <summary>The etcd user the cmdlets authenticate as (null: none).</summary>
    public string? UserName => _connection.Options.Username;

    /// <summary>The client certificate shown to etcd (null: none).</summary>
    public string? CertificatePath => _connection.Options.CertFile;

    /// <summary>The CA that etcd's server certificates must be signed by (null: the system's trust store, or plain http).</summary>
    public string? CaPath => _connection.Options.CaFile;

    /// <summary>Reads an endpoint list such as <c>http://a:2379,http://b:2379</c> (also what PowerShell uses to convert a string given to <c>-Cluster</c>); TLS and user come from the DOKKAA_ETCD_* variables.</summary>
    /// <exception cref="FormatException">The list is empty, an entry is not a URL, or a DOKKAA_ETCD_* setting cannot be used (<see cref="EtcdSettingsException"/>).</exception>
    public static DokkaaCluster Parse(string endpoints) => Create(endpoints, ClusterSource.Parameter);

    /// <summary>The cluster at <paramref name="endpoints"/>, with TLS and user from the DOKKAA_ETCD_* environment variables.</summary>
    public static DokkaaCluster Create(string endpoints, ClusterSource source, DateTimeOffset? connectedAt = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var environment = EtcdConnectionSettings.FromEnvironment();
        var names = ConnectionSettingNames.For(environment, new EtcdConnectionSettings(), source switch
        {
            ClusterSource.Parameter => "-Cluster",
            ClusterSource.Environment => null,
            _ => "-Endpoint",
        });
        return Create((environment with { Endpoints = endpoints }).ToOptions(names), source, connectedAt);
    }

    /// <summary>The cluster these checked options describe; clients are shared by every cluster object with the same options.</summary>
    internal static DokkaaCluster Create(EtcdClientOptions options, ClusterSource source, DateTimeOffset? connectedAt = null)
    {
        var connection = Connections.GetOrAdd(Key(options), _ => new Lazy<Connection>(() => new Connection(options))).Value;
        return new DokkaaCluster(connection, source, connectedAt);
    }

    /// <summary>Two clusters share a client only when everything about the connection is the same (the password by digest).</summary>
    private static string Key(EtcdClientOptions options)
    {
        var password = options.Password is null ? "" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(options.Password)));
        return string.Join("|", string.Join(",", options.Endpoints.Select(e => e.AbsoluteUri)), options.CaFile, options.CertFile, options.KeyFile, options.Username, password);
    }

    /// <summary>The same cluster, labelled with another source.</summary>
    public DokkaaCluster As(ClusterSource source, DateTimeOffset? connectedAt = null) => new(_connection, source, connectedAt);

    /// <summary>The operations every cmdlet calls (shared etcd client, normal timeouts).</summary>
    internal ClusterOperations Operations => _connection.Operations;

    /// <summary>The same cluster through a client with short timeouts, for tab completion, which must never hang.</summary>
    internal ClusterOperations CompletionOperations => _connection.CompletionOperations;

    public override string ToString() => string.Join(",", _connection.Endpoints);

    /// <summary>
    /// The etcd clients of one endpoint list. They live as long as the process, like any shared HttpClient:
    /// a session talks to a handful of clusters at most, and disposing a client that another runspace
    /// still uses would break it.
    /// </summary>
    private sealed class Connection
    {
        private readonly Lazy<ClusterOperations> _completion;

        public Connection(EtcdClientOptions options)
        {
            Options = options;
            Endpoints = options.Endpoints.Select(e => e.AbsoluteUri.TrimEnd('/')).ToArray();
            Operations = new ClusterOperations(EtcdClients.Create(options));
            _completion = new Lazy<ClusterOperations>(() => new ClusterOperations(EtcdClients.Create(options with
            {
                RequestTimeout = CompletionTimeouts.Request,
                ConnectTimeout = CompletionTimeouts.Connect,
            })));
        }

        public EtcdClientOptions Options { get; }

        public IReadOnlyList<string> Endpoints { get; }

        public ClusterOperations Operations { get; }

        public ClusterOperations CompletionOperations => _completion.Value;
    }
}

/// <summary>How long tab completion may wait for the cluster before it offers nothing.</summary>
internal static class CompletionTimeouts
{
    public static readonly TimeSpan Total = TimeSpan.FromMilliseconds(1500);
    public static readonly TimeSpan Request = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Connect = TimeSpan.FromMilliseconds(500);
}
