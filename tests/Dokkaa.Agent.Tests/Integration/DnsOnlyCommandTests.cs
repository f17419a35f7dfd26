using System.Diagnostics;
using System.Globalization;
using Dokkaa.Core.Cluster;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary><c>dokkaa-agent dns</c>: the name server alone, as a process, over a real etcd, asked by dig.</summary>
public sealed class DnsOnlyCommandTests : IClassFixture<EtcdFixture>
{
    private readonly EtcdServer _etcd;

    public DnsOnlyCommandTests(EtcdFixture etcd) => _etcd = etcd.Server;

    [Fact]
    public async Task The_dns_subcommand_answers_from_etcd_and_follows_changes()
    {
        using var client = EtcdClients.Create(_etcd.Endpoint);
        await client.PutAsync(KeyLayout.Manifest("service", "web"), """{"image":"dokkaa/busybox:test","services":{"web":80}}""");
        await client.PutAsync(KeyLayout.Host("h1"), ClusterJson.Serialize(new HostRecord { Address = "127.0.0.10", AgentVersion = "test" }), (await client.LeaseGrantAsync(3600)).Id);
        await client.PutAsync(KeyLayout.Instance("service", "web", 1), ClusterJson.Serialize(Running("127.0.0.10", 32768)));

        var port = FreePort.Tcp();
        var info = new ProcessStartInfo(RepoPaths.Agent) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "dns", "--etcd", _etcd.Endpoint, "--dns-listen", $"127.0.0.1:{port}" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var p = port.ToString(CultureInfo.InvariantCulture);
            await Poll.UntilAsync(async () => (await ProcessRunner.RunAsync("dig", "+short", "@127.0.0.1", "-p", p, "1.web.service.container")).StdOut.Trim(), a => a == "127.0.0.10", "the DNS-only server to answer DaprDockr's example name");

            // The instance moves: the answer follows the watch.
            await client.PutAsync(KeyLayout.Instance("service", "web", 1), ClusterJson.Serialize(Running("127.0.0.11", 32769)));
            await Poll.UntilAsync(async () => (await ProcessRunner.RunAsync("dig", "+short", "@127.0.0.1", "-p", p, "80.tcp.1.web.service.container", "SRV")).StdOut.Trim(), a => a == "0 0 32769 1.web.service.container.", "the SRV answer to follow the move");

            var outside = await ProcessRunner.RunAsync("dig", "@127.0.0.1", "-p", p, "example.org");
            Assert.Contains("status: REFUSED", outside.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_bad_rate_limit_flag_is_refused_by_name_before_anything_starts()
    {
        var result = await ProcessRunner.RunAsync(RepoPaths.Agent, ["dns", "--etcd", _etcd.Endpoint, "--dns-listen", $"127.0.0.1:{FreePort.Tcp()}", "--dns-rate-limit-exempt", "10.0.0.1/8"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--dns-rate-limit-exempt: '10.0.0.1/8' is not a network like 10.0.0.0/8: the address has bits set past the prefix length", result.All, StringComparison.Ordinal);
    }

    private static InstanceRecord Running(string address, int port) => new()
    {
        Host = "h1",
        Address = address,
        ManifestHash = "x",
        State = InstanceState.Running,
        Ports = new Dictionary<string, int> { ["80/tcp"] = port },
    };
}
