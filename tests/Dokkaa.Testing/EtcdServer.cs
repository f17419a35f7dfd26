using System.Diagnostics;

namespace Dokkaa.Testing;

/// <summary>
/// A real etcd member on free loopback ports with its own data directory, for one test class.
/// <see cref="RestartAsync"/> kills and restarts it on the same data (to test that watches resume);
/// disposing kills it and deletes the data.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly string _dataDir;
    private readonly int _clientPort;
    private readonly int _peerPort;
    private Process? _process;

    private EtcdServer(string dataDir, int clientPort, int peerPort)
    {
        _dataDir = dataDir;
        _clientPort = clientPort;
        _peerPort = peerPort;
    }

    public string Endpoint => $"http://127.0.0.1:{_clientPort}";

    public static async Task<EtcdServer> StartAsync()
    {
        var server = new EtcdServer(Directory.CreateTempSubdirectory("dokkaa-etcd-").FullName, FreePort.Tcp(), FreePort.Tcp());
        await server.LaunchAsync().ConfigureAwait(false);
        return server;
    }

    public async Task RestartAsync()
    {
        Kill();
        await LaunchAsync().ConfigureAwait(false);
    }

    /// <summary>Stops etcd without deleting its data (an outage); <see cref="RestartAsync"/> brings it back.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo("etcd")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
        {
            "--name", "test", "--data-dir", _dataDir,
            "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", $"http://127.0.0.1:{_peerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{_peerPort}",
            "--initial-cluster", $"test=http://127.0.0.1:{_peerPort}",
        })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start etcd");
        // Drain its output so it never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        await Poll.UntilAsync(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode}");
            using var response = await http.GetAsync($"{Endpoint}/health").ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, $"etcd on {Endpoint} to answer", TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
