using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>
/// A real single-member etcd (the Debian etcd-server 3.4 binary) on free loopback ports, with its own data
/// directory. Use it as an xUnit class fixture (one etcd per test class) or create and dispose it by hand.
/// It can be stopped, restarted on the same ports and data, paused (SIGSTOP) and resumed; disposing it kills
/// the process and deletes the data. Tests sharing one should write under their own key prefix.
/// </summary>
public sealed class EtcdFixture : IAsyncLifetime, IDisposable
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    public EtcdFixture()
    {
        DataDir = Path.Combine(Path.GetTempPath(), "dokkaa-etcd-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The etcd binary; override with DOKKAA_ETCD for a different build.</summary>
    public static string EtcdBinary => Environment.GetEnvironmentVariable("DOKKAA_ETCD") ?? "etcd";

    public string DataDir { get; }

    public int ClientPort { get; private set; }

    public int PeerPort { get; private set; }

    /// <summary>
    /// Serve TLS with these certificates and require client certificates (--client-cert-auth). The client URL
    /// is then https://, and <see cref="CreateClient"/> trusts the CA and shows the client certificate.
    /// </summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>The client URL, e.g. http://127.0.0.1:41234. Valid once started; stays the same across restarts.</summary>
    public Uri ClientUrl => new($"{(Certificates is null ? "http" : "https")}://127.0.0.1:{ClientPort}");

    /// <summary>How often etcd sends watch progress notifications (its default is 10 minutes; short here so tests see them).</summary>
    public TimeSpan ProgressNotifyInterval { get; init; } = TimeSpan.FromSeconds(2);

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines etcd wrote, for failure messages.</summary>
    public string RecentLog => string.Join('\n', _log);

    public Task InitializeAsync() => StartAsync();

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Starts etcd (on new free ports the first time, on the same ports after a stop) and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
            return;
        var firstStart = ClientPort == 0;
        for (var attempt = 1; ; attempt++)
        {
            if (firstStart)
            {
                // A port found free can be taken by someone else before etcd binds it: then pick again.
                ClientPort = FreePort();
                PeerPort = FreePort();
            }

            Launch();
            try
            {
                await WaitUntilAnsweringAsync().ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (firstStart && attempt < StartAttempts)
            {
                Kill();
            }
        }
    }

    /// <summary>Kills etcd (SIGKILL: a crash, not a clean shutdown) and waits for the process to be gone. The data stays.</summary>
    public Task StopAsync()
    {
        Kill();
        return Task.CompletedTask;
    }

    /// <summary>Kill, then start again on the same ports and data directory.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    public void Restart() => RestartAsync().GetAwaiter().GetResult();

    /// <summary>Freezes etcd (SIGSTOP): its sockets stay open but nothing answers, like a hung member.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

    /// <summary>A client for this etcd; <paramref name="configure"/> may adjust the options (timeouts, extra endpoints).</summary>
    public GrpcEtcdClient CreateClient(Func<EtcdClientOptions, EtcdClientOptions>? configure = null)
    {
        var options = new EtcdClientOptions([ClientUrl])
        {
            RequestTimeout = TimeSpan.FromSeconds(5),
            CaFile = Certificates?.CaFile,
            CertFile = Certificates?.ClientCertFile,
            KeyFile = Certificates?.ClientKeyFile,
        };
        return EtcdClients.Create(configure is null ? options : configure(options));
    }

    /// <summary>Compacts etcd's history up to <paramref name="revision"/> (waits for the physical compaction).</summary>
    public async Task CompactAsync(long revision)
    {
        using var client = CreateClient();
        await client.CompactAsync(revision, physical: true).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Kill();
        try
        {
            if (Directory.Exists(DataDir))
                Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail the test run.
        }
    }

    private void Launch()
    {
        var peer = $"http://127.0.0.1:{PeerPort}";
        var client = ClientUrl.ToString().TrimEnd('/');
        var start = new ProcessStartInfo(EtcdBinary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", "t", "--data-dir", DataDir,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"t={peer}",
            // A single member on loopback: short raft timers make start and restart take milliseconds, not seconds.
            "--heartbeat-interval", "10", "--election-timeout", "100",
            "--experimental-watch-progress-notify-interval", $"{ProgressNotifyInterval.TotalMilliseconds:0}ms",
        })
        {
            start.ArgumentList.Add(arg);
        }

        if (Certificates is { } tls)
        {
            foreach (var arg in new[]
            {
                "--client-cert-auth", "--trusted-ca-file", tls.CaFile, "--cert-file", tls.ServerCertFile, "--key-file", tls.ServerKeyFile,
            })
            {
                start.ArgumentList.Add(arg);
            }
        }

        var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient(ProbeHandler()) { Timeout = TimeSpan.FromSeconds(2) };
        var probe = new Uri(ClientUrl, "/v3/kv/range");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process is not { HasExited: false })
                throw new InvalidOperationException($"etcd exited with code {_process?.ExitCode} while starting:\n{RecentLog}");
            try
            {
                using var content = new StringContent("{\"key\":\"AA==\"}", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(probe, content).ConfigureAwait(false);
                // With auth on, a range without a token is refused, but the refusal proves etcd is serving.
                if (response.StatusCode == HttpStatusCode.OK || (Certificates is not null && (int)response.StatusCode < 500))
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartDeadline)
            {
                Kill();
                throw new TimeoutException($"etcd did not answer on {ClientUrl} within {StartDeadline}:\n{RecentLog}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>The probe shows the client certificate and trusts the test CA when etcd serves TLS.</summary>
    private HttpMessageHandler ProbeHandler()
    {
        var handler = new SocketsHttpHandler();
        if (Certificates is { } tls)
        {
            handler.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(tls.ClientCertFile, tls.ClientKeyFile)];
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        return handler;
    }

    private void Kill()
    {
        var process = _process;
        _process = null;
        if (process is null)
            return;
        try
        {
            // SIGKILL also ends a paused (SIGSTOPped) process.
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);

            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }

    private void Signal(string signal)
    {
        if (_process is { HasExited: false } process)
            RunKill(signal, process.Id);
    }

    private static void RunKill(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private void Remember(string? line)
    {
        if (line is null)
            return;
        _log.Enqueue(line);
        while (_log.Count > 200)
            _log.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
