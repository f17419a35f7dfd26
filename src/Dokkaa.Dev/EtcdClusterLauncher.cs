using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;

namespace Dokkaa.Dev;

/// <summary>
/// A real etcd cluster (3 members by default) on the bridge address, so that agents inside the namespaces
/// reach it through the bridge (127.0.0.1 in a namespace is the namespace's own loopback) and a partitioned
/// host loses it. Members run in the machine's namespace; each has its own data directory and log.
/// </summary>
public static class EtcdClusterLauncher
{
    public const string Comm = "etcd";

    /// <summary>What one member reports about itself and the leader (etcd's maintenance status).</summary>
    public sealed record MemberStatus(string Name, string Endpoint, bool Alive, bool Answering, string? MemberId, string? LeaderId, long RaftTerm, string? Error)
    {
        public bool IsLeader => MemberId is not null && MemberId == LeaderId;
    }

    public static IReadOnlyList<string> Command(DevClusterState state, DevEtcdMember member) => new[]
    {
        "etcd",
        "--name", member.Name,
        "--data-dir", member.DataDir,
        "--listen-client-urls", member.ClientUrl,
        "--advertise-client-urls", member.ClientUrl,
        "--listen-peer-urls", member.PeerUrl,
        "--initial-advertise-peer-urls", member.PeerUrl,
        "--initial-cluster", state.Etcd.InitialCluster,
        "--initial-cluster-token", state.Etcd.Token,
        // Ignored once the data directory exists, which is how a killed member restarts into the same cluster.
        "--initial-cluster-state", "new",
    }.Concat(TlsFlags(state.Etcd.Security)).ToList();

    /// <summary>A secured cluster: TLS for clients and peers, and a certificate signed by the cluster's CA required of both.</summary>
    private static IEnumerable<string> TlsFlags(DevSecurity? security) => security is null ? Array.Empty<string>() : new[]
    {
        "--client-cert-auth", "--trusted-ca-file", security.CaFile, "--cert-file", security.ServerCertFile, "--key-file", security.ServerKeyFile,
        "--peer-client-cert-auth", "--peer-trusted-ca-file", security.CaFile, "--peer-cert-file", security.ServerCertFile, "--peer-key-file", security.ServerKeyFile,
    };

    /// <summary>Fails clearly if a port the members need is taken (e.g. something listens on 0.0.0.0:2379).</summary>
    public static void CheckPortsFree(DevClusterState state)
    {
        foreach (var url in state.Etcd.Members.SelectMany(m => new[] { m.ClientUrl, m.PeerUrl }))
        {
            var uri = new Uri(url);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port));
            }
            catch (SocketException e)
            {
                throw new DevException($"etcd cannot listen on {url}: {e.Message}; choose other ports with --etcd-port");
            }
        }
    }

    public static Task<int> StartAsync(DevClusterState state, DevEtcdMember member, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(member.DataDir)!);
        return Sys.StartDetachedAsync(Command(state, member), member.Log, cancellationToken);
    }

    /// <summary>Waits until every member says the cluster is healthy (it has a leader and answers).</summary>
    public static Task WaitHealthyAsync(DevClusterState state, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Deadline.UntilAsync(async () =>
        {
            foreach (var member in state.Etcd.Members)
            {
                if (!ProcessTable.IsAlive(member.Pid))
                    throw new DevException($"etcd member {member.Name} exited; its log ({member.Log}) ends with:{Environment.NewLine}{Sys.Tail(member.Log)}");
                if (!await IsHealthyAsync(state.Etcd, member.ClientUrl, cancellationToken).ConfigureAwait(false))
                    return false;
            }

            return true;
        }, $"etcd members {string.Join(", ", state.Etcd.Members.Select(m => m.Name))} to be healthy", timeout, cancellationToken);

    /// <summary>Waits until one member answers again after a start (its health needs a leader, which may take longer).</summary>
    public static Task WaitAnsweringAsync(DevEtcd etcd, DevEtcdMember member, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Deadline.UntilAsync(async () =>
        {
            if (!ProcessTable.IsAlive(member.Pid))
                throw new DevException($"etcd member {member.Name} exited; its log ({member.Log}) ends with:{Environment.NewLine}{Sys.Tail(member.Log)}");
            var status = await StatusAsync(etcd, member, cancellationToken).ConfigureAwait(false);
            return status.Answering;
        }, $"etcd member {member.Name} to answer on {member.ClientUrl}", timeout, cancellationToken);

    public static async Task<bool> IsHealthyAsync(DevEtcd etcd, string clientUrl, CancellationToken cancellationToken = default)
    {
        using var http = DevEtcdAccess.Http(etcd);
        try
        {
            var body = await http.GetStringAsync(new Uri(clientUrl + "/health"), cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("health", out var health) && health.ToString() == "true";
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public static async Task<MemberStatus> StatusAsync(DevEtcd etcd, DevEtcdMember member, CancellationToken cancellationToken = default)
    {
        var alive = ProcessTable.IsAlive(member.Pid, Comm);
        // Over gRPC, as the operator on a secured cluster: etcd's HTTP gateway refuses requests that carry a
        // client certificate once auth is on.
        var options = DevEtcdAccess.Options(etcd).ForMember(new Uri(member.ClientUrl)) with
        {
            RequireLeader = false,
            RequestTimeout = TimeSpan.FromSeconds(2),
        };
        try
        {
            using var client = EtcdClients.Create(options);
            var status = await client.MemberStatusAsync(cancellationToken).ConfigureAwait(false);
            return new MemberStatus(member.Name, member.ClientUrl, alive, true, Id(status.MemberId), status.LeaderId is { } leader ? Id(leader) : null, (long)status.RaftTerm, null);
        }
        catch (EtcdException e)
        {
            return new MemberStatus(member.Name, member.ClientUrl, alive, false, null, null, 0, e.Message);
        }
    }

    private static string Id(ulong id) => id.ToString(CultureInfo.InvariantCulture);

    public static async Task<IReadOnlyList<MemberStatus>> StatusAllAsync(DevClusterState state, CancellationToken cancellationToken = default) =>
        await Task.WhenAll(state.Etcd.Members.Select(m => StatusAsync(state.Etcd, m, cancellationToken))).ConfigureAwait(false);

    /// <summary>The leader's member name as the answering members see it (the one with the highest term wins), or null.</summary>
    public static string? Leader(IReadOnlyList<MemberStatus> statuses)
    {
        var view = statuses.Where(s => s.Answering && s.LeaderId is not null).OrderByDescending(s => s.RaftTerm).FirstOrDefault();
        return view is null ? null : statuses.FirstOrDefault(s => s.MemberId == view.LeaderId)?.Name;
    }
}
