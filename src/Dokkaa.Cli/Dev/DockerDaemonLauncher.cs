using System.Net.Sockets;

namespace Dokkaa.Cli.Dev;

/// <summary>
/// One dockerd per dev host, started with <c>nsenter --net=/var/run/netns/NS dockerd ...</c>: only the network
/// namespace is entered (<c>ip netns exec</c> would also remount /sys in a new mount namespace, hiding the
/// cgroup mounts, and dockerd would fail with "Devices cgroup isn't mounted"). Each has its own data root,
/// exec root (hence its own containerd), pid file, socket, docker0 address, address pool and cgroup parent,
/// and its own config file, so that the machine's /etc/docker/daemon.json cannot interfere. Its iptables rules
/// land in the namespace's own tables.
/// </summary>
public static class DockerDaemonLauncher
{
    public const string Comm = "dockerd";

    public static IReadOnlyList<string> Command(DevHost host) => new[]
    {
        "nsenter", $"--net={NetworkSetup.NetnsPath(host.Namespace)}",
        "dockerd",
        "--config-file", host.DockerConfig,
        "--data-root", host.DataRoot,
        "--exec-root", host.ExecRoot,
        "--pidfile", host.DockerPidFile,
        "--host", host.DockerSocket,
        "--bip", host.Bip,
        "--default-address-pool", host.AddressPool,
        "--cgroup-parent", host.CgroupParent,
    };

    public static async Task<int> StartAsync(DevHost host, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(host.DataRoot);
        Directory.CreateDirectory(host.ExecRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(host.DockerPidFile)!);
        if (!File.Exists(host.DockerConfig))
            await File.WriteAllTextAsync(host.DockerConfig, "{}\n", cancellationToken).ConfigureAwait(false);
        // A pid file left by a killed daemon names a dead pid, which may have been reused: dockerd would refuse to start.
        if (!ProcessTable.IsAlive(host.DockerPid, Comm))
            File.Delete(host.DockerPidFile);
        return await Sys.StartDetachedAsync(Command(host), host.DockerLog, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the daemon answers <c>/_ping</c> on its socket; fails with its log if it died.</summary>
    public static async Task WaitReadyAsync(DevHost host, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await Deadline.UntilAsync(async () =>
        {
            if (!ProcessTable.IsAlive(host.DockerPid))
                throw new DevException($"dockerd of {host.Name} exited; its log ({host.DockerLog}) ends with:{Environment.NewLine}{Sys.Tail(host.DockerLog)}");
            return await PingAsync(host.DockerSocketPath, cancellationToken).ConfigureAwait(false);
        }, $"dockerd of {host.Name} to answer on {host.DockerSocket} (log: {host.DockerLog})", timeout, cancellationToken).ConfigureAwait(false);
        if (!ProcessTable.IsAlive(host.DockerPid, Comm))
            throw new DevException($"pid {host.DockerPid} of {host.Name} is not dockerd but {ProcessTable.Comm(host.DockerPid)}");
    }

    public static async Task<bool> PingAsync(string socketPath, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(socketPath))
            return false;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri("http://docker/_ping"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
