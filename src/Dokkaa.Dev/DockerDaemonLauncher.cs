using System.Net.Sockets;

namespace Dokkaa.Dev;

/// <summary>
/// One dockerd per dev host, started with <c>nsenter --net=/var/run/netns/NS dockerd ...</c> (under the name
/// <see cref="Comm"/>): only the network
/// namespace is entered (<c>ip netns exec</c> would also remount /sys in a new mount namespace, hiding the
/// cgroup mounts, and dockerd would fail with "Devices cgroup isn't mounted"). Each has its own data root,
/// exec root (hence its own containerd), pid file, socket, cgroup parent and container bridge, and its own
/// config file, so that the machine's /etc/docker/daemon.json cannot interfere. Its iptables rules land in the
/// namespace's own tables. The container bridge is made beforehand (<c>--bridge dk0</c>, distinct address per
/// host) rather than left to dockerd as docker0 with <c>--bip</c>/<c>--default-address-pool</c>: a restarting
/// dockerd with address pools deletes any link named docker0 it can see, and dockerd then never manages a
/// docker0 at all.
/// </summary>
public static class DockerDaemonLauncher
{
    /// <summary>
    /// The name the hosts' daemons run under: dockerd started through a symlink of this name, so that
    /// <c>pidof dockerd</c> (and anything else that looks for "the machine's dockerd" by name) never finds one of
    /// them. A test helper that restarted "the" dockerd found by <c>pidof -s dockerd</c> picked a dev host's
    /// daemon and started it again outside its namespace, where it replaced the machine's docker0.
    /// </summary>
    public const string Comm = "dokkaa-dockerd";

    public static string Binary(DevClusterState state) => Path.Combine(state.RunDir, "bin", Comm);

    /// <summary>dockerd and its arguments; <see cref="NetworkSetup.InNamespaceAsync"/> runs it in the host's namespace.</summary>
    public static IReadOnlyList<string> Command(DevClusterState state, DevHost host) => new[]
    {
        Binary(state),
        "--config-file", host.DockerConfig,
        "--data-root", host.DataRoot,
        "--exec-root", host.ExecRoot,
        "--pidfile", host.DockerPidFile,
        "--host", host.DockerSocket,
        "--bridge", host.ContainerBridge,
        "--cgroup-parent", host.CgroupParent,
    };

    public static async Task<int> StartAsync(DevClusterState state, DevHost host, CancellationToken cancellationToken = default)
    {
        var binary = Binary(state);
        if (!File.Exists(binary))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
            File.CreateSymbolicLink(binary, Sys.Which("dockerd") ?? throw new DevException("dockerd not found: apt-get install docker.io"));
        }

        Directory.CreateDirectory(host.DataRoot);
        Directory.CreateDirectory(host.ExecRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(host.DockerPidFile)!);
        if (!File.Exists(host.DockerConfig))
            await File.WriteAllTextAsync(host.DockerConfig, "{}\n", cancellationToken).ConfigureAwait(false);
        // Pid files left by a killed daemon and its containerd name processes that are dead, or zombies not yet reaped
        // (init reaps orphans only every second or two here), or reused pids. dockerd takes a live-looking pid in its
        // own pid file as "already running" and refuses to start, and one in containerd's as a running containerd, which
        // it then waits for until "timeout waiting for containerd to start". The callers start dockerd only when the
        // host has no process left, so both files are stale.
        if (!ProcessTable.IsAlive(host.DockerPid, Comm))
        {
            foreach (var stale in new[] { host.DockerPidFile, Path.Combine(host.ExecRoot, "containerd", "containerd.pid") })
            {
                if (File.Exists(stale))
                    File.Delete(stale);
            }
        }
        var command = await NetworkSetup.InNamespaceAsync(host.Namespace, Command(state, host)).ConfigureAwait(false);
        return await Sys.StartDetachedAsync(command, host.DockerLog, cancellationToken).ConfigureAwait(false);
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
