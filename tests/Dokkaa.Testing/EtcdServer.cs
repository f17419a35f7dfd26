using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dokkaa.Core.Etcd;
using Dokkaa.Etcd;

namespace Dokkaa.Testing;

/// <summary>
/// A real single-member etcd (the Debian etcd-server 3.4 binary) on free loopback ports, with its own data
/// directory: the one way tests run etcd. It can be stopped (SIGKILL: a crash) and started again on the same
/// ports and data, paused (SIGSTOP) and resumed; disposing it kills the process and deletes the data.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable, IDisposable
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    private readonly EtcdServerOptions _options;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    private EtcdServer(EtcdServerOptions options)
    {
        _options = options;
        DataDir = Directory.CreateTempSubdirectory("dokkaa-etcd-").FullName;
    }

    public string DataDir { get; }

    public int ClientPort { get; private set; }

    public int PeerPort { get; private set; }

    public TestCertificates? Certificates => _options.Certificates;

    /// <summary>The client URL, e.g. http://127.0.0.1:41234. It stays the same across restarts.</summary>
    public Uri ClientUrl => new($"{(Certificates is null ? "http" : "https")}://127.0.0.1:{ClientPort}");

    /// <summary><see cref="ClientUrl"/> as the text a command line takes (no trailing slash).</summary>
    public string Endpoint => ClientUrl.ToString().TrimEnd('/');

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines etcd wrote, for failure messages.</summary>
    public string RecentLog => string.Join('\n', _log);

    /// <summary>
    /// A client for this etcd, trusting the test CA and showing the client certificate when it serves TLS;
    /// <paramref name="configure"/> may adjust the options (timeouts, extra endpoints, a user).
    /// </summary>
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

    /// <summary>Starts a member on new free ports and waits until it answers.</summary>
    public static async Task<EtcdServer> StartAsync(EtcdServerOptions? options = null)
    {
        var server = new EtcdServer(options ?? new EtcdServerOptions());
        try
        {
            await server.StartOnFreePortsAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Starts etcd again after <see cref="StopAsync"/>, on the same ports and data, and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
            return;
        Launch();
        await WaitUntilAnsweringAsync().ConfigureAwait(false);
    }

    /// <summary>Kills etcd (SIGKILL: a crash, not a clean shutdown) and waits for the process to be gone. The data stays.</summary>
    public Task StopAsync()
    {
        Kill();
        return Task.CompletedTask;
    }

    /// <summary>Kill, then start again on the same ports and data directory (to test that clients and watches resume).</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAgainAsync().ConfigureAwait(false);
    }

    /// <summary>Freezes etcd (SIGSTOP): its sockets stay open but nothing answers, like a hung member.</summary>
    public void Pause() => Signal("STOP");

    public void Resume() => Signal("CONT");

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

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task StartOnFreePortsAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            // A port found free can be taken by someone else before etcd binds it: then pick again.
            ClientPort = FreePort.Tcp();
            PeerPort = FreePort.Tcp();
            Launch();
            try
            {
                await WaitUntilAnsweringAsync().ConfigureAwait(false);
                return;
            }
            catch (PollGiveUpException) when (attempt < StartAttempts)
            {
                Kill();
            }
        }
    }

    private void Launch()
    {
        var peer = $"http://127.0.0.1:{PeerPort}";
        var start = new ProcessStartInfo("etcd")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", "t", "--data-dir", DataDir,
            "--listen-client-urls", Endpoint, "--advertise-client-urls", Endpoint,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"t={peer}",
            // A single member on loopback: short raft timers make start and restart take milliseconds, not seconds.
            "--heartbeat-interval", "10", "--election-timeout", "100",
            "--experimental-watch-progress-notify-interval", $"{_options.ProgressNotifyInterval.TotalMilliseconds:0}ms",
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
        // Read its output, so it never blocks on a full pipe and a failure can say what etcd said.
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
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    if (_process is not { HasExited: false })
                        throw new PollGiveUpException($"etcd exited with code {_process?.ExitCode} while starting:\n{RecentLog}");
                    using var content = new StringContent("{\"key\":\"AA==\"}", Encoding.UTF8, "application/json");
                    using var response = await http.PostAsync(probe, content).ConfigureAwait(false);
                    // With auth on, a range without a token is refused, but the refusal proves etcd is serving.
                    return response.StatusCode == HttpStatusCode.OK || (Certificates is not null && (int)response.StatusCode < 500);
                },
                $"etcd to answer on {ClientUrl}",
                StartDeadline,
                TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            Kill();
            throw new TimeoutException($"{e.Message}\n{RecentLog}", e);
        }
    }

    /// <summary>The probe shows the client certificate and trusts the test CA when etcd serves TLS.</summary>
    private HttpMessageHandler ProbeHandler()
    {
        var handler = new SocketsHttpHandler();
        if (Certificates is { } tls)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(tls.ClientCertFile, tls.ClientKeyFile)];
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
        if (_process is not { HasExited: false } process)
            return;
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {process.Id}") { UseShellExecute = false })!;
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
}
