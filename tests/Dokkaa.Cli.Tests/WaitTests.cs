using System.Diagnostics;
using Dokkaa.Cli.Tests.Support;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests;

/// <summary>dokkaa wait: gives up on time naming what is missing, and returns once the agents report convergence.</summary>
public sealed class WaitTests(EtcdFixture etcd) : CliTestBase(etcd)
{
    private const string Web = """{"image":"dockerfile/nginx","scale":2,"services":{"web":80}}""";

    [Fact]
    public async Task WaitTimesOutNamingWhatIsMissing()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);
        var clock = Stopwatch.StartNew();

        var result = await Dokkaa("wait", "--app", app, "--name", "web", "--timeout", "1s");

        clock.Stop();
        var error = AssertFails(result);
        Assert.Contains($"{app}/web did not converge within 1s", error, StringComparison.Ordinal);
        Assert.Contains("0 of 2 running", error, StringComparison.Ordinal);
        Assert.Contains("2 pending", error, StringComparison.Ordinal);
        Assert.Contains("no agent has reported", error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"gave up after {clock.Elapsed}, before the timeout");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed} for a 1 s timeout");
    }

    [Fact]
    public async Task WaitReportsAgentErrorsWhenItTimesOut()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);
        await Etcd.PutRecordAsync(KeyLayout.Status(app, "web"), new StatusRecord
        {
            ObservedRevision = revision,
            Desired = 2,
            Running = 1,
            Pending = 1,
            Errors = new[] { "instance 2: image not found" },
        });

        var error = AssertFails(await Dokkaa("wait", "--app", app, "--name", "web", "--timeout", "500ms"));

        Assert.Contains("1 of 2 running, 1 pending", error, StringComparison.Ordinal);
        Assert.Contains("instance 2: image not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitReturnsAtOnceWhenTheAgentsReportConvergence()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);
        await Etcd.PutRecordAsync(KeyLayout.Status(app, "web"), new StatusRecord { ObservedRevision = revision, Desired = 2, Running = 2 });

        var result = await Dokkaa("wait", "--app", app, "--name", "web", "--timeout", "20s");

        AssertOk(result);
        Assert.Equal($"{app}/web: 2/2 running", result.StdOut.Trim());
    }

    [Fact]
    public async Task WaitReturnsOnceAStatusForTheCurrentRevisionArrives()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);
        // A status for an older revision of the manifest does not count, however good it looks.
        await Etcd.PutRecordAsync(KeyLayout.Status(app, "web"), new StatusRecord { ObservedRevision = revision - 1, Desired = 2, Running = 2 });

        var reads = await Etcd.RangeCountAsync();

        var waiting = Dokkaa("wait", "--app", app, "--name", "web", "--timeout", "25s");
        // One look at the cluster is two reads; a third means wait saw the stale status and is looking again.
        await Poll.UntilAsync(async () => await Etcd.RangeCountAsync() >= reads + 3 || waiting.IsCompleted, "dokkaa wait to read the cluster more than once");
        if (waiting.IsCompleted)
            Assert.Fail($"wait ended before the status was written: {(await waiting).All}");
        await Etcd.PutRecordAsync(KeyLayout.Status(app, "web"), new StatusRecord { ObservedRevision = revision, Desired = 2, Running = 2 });
        var result = await waiting;

        AssertOk(result);
        Assert.Contains("2/2 running", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForAMissingManifestFailsAtOnce()
    {
        var app = NewName();

        var error = AssertFails(await Dokkaa("wait", "--app", app, "--name", "web", "--timeout", "1m"));

        Assert.Contains($"No manifest {app}/web", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitWithABadNameSaysSo()
    {
        var error = AssertFails(await Dokkaa("wait", "--app", "Bad_Name", "--name", "web", "--timeout", "1s"));

        Assert.Contains("Invalid app name \"Bad_Name\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitWithABadTimeoutSaysSo()
    {
        var error = AssertFails(await Dokkaa("wait", "--app", NewName(), "--name", "web", "--timeout", "soon"));

        Assert.Contains("--timeout", error, StringComparison.Ordinal);
        Assert.Contains("soon", error, StringComparison.Ordinal);
    }
}
