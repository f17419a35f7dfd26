using System.Globalization;
using Dokkaa.Cli.Tests.Support;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests;

/// <summary>
/// status, ps, hosts and resolve: what the CLI makes of the records agents write. No agent runs here; the
/// tests write claims, host and status records into etcd themselves, in the agents' JSON shapes.
/// </summary>
public sealed class ClusterCommandTests(EtcdFixture etcd) : CliTestBase(etcd)
{
    private const string Web = """{"image":"dockerfile/nginx","scale":2,"services":{"web":80}}""";

    private static readonly DateTimeOffset Started = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task StatusOfAManifestNoAgentReportedOnIsAllPending()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);

        var table = await Dokkaa("status", "--app", app);
        var json = await Dokkaa("status", "--app", app, "-o", "json");

        AssertOk(table);
        var row = Assert.Single(TextTable.Parse(table.StdOut));
        Assert.Equal(app, row["APP"]);
        Assert.Equal("web", row["NAME"]);
        Assert.Equal("2", row["DESIRED"]);
        Assert.Equal("0", row["RUNNING"]);
        Assert.Equal("2", row["PENDING"]);
        Assert.Contains("no agent has reported", row["ERRORS"], StringComparison.Ordinal);

        AssertOk(json);
        var status = Assert.Single(ParseJson(json.StdOut).EnumerateArray());
        Assert.Equal(2, status.GetProperty("desired").GetInt32());
        Assert.Equal(0, status.GetProperty("running").GetInt32());
        Assert.Equal(2, status.GetProperty("pending").GetInt32());
        Assert.False(status.GetProperty("converged").GetBoolean());
        Assert.Contains(status.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains("no agent has reported", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusShowsWhatTheAgentsReported()
    {
        var app = NewName();
        var revision = await ApplyAsync(app, "web", Web);
        await Etcd.PutRecordAsync(KeyLayout.Status(app, "web"), new StatusRecord
        {
            ObservedRevision = revision,
            Desired = 2,
            Running = 1,
            Pending = 0,
            Outdated = 1,
            Errors = new[] { "instance 2: pull failed" },
        });

        var result = await Dokkaa("status", "--app", app, "--name", "w*");

        AssertOk(result);
        var row = Assert.Single(TextTable.Parse(result.StdOut));
        Assert.Equal("1", row["RUNNING"]);
        Assert.Equal("0", row["PENDING"]);
        Assert.Equal("1", row["OUTDATED"]);
        Assert.Equal("instance 2: pull failed", row["ERRORS"]);
    }

    [Fact]
    public async Task PsListsClaimsWithAddressesPortsAndErrors()
    {
        var app = NewName();
        var host = NewName('h');
        await ApplyAsync(app, "web", Web);
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 1), Running(host, 32768));
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 2), new InstanceRecord
        {
            Host = host + "x",
            Address = "10.0.0.2",
            ManifestHash = "0123456789abcdef",
            State = InstanceState.Failed,
            Error = "exited at once (code 127)",
            Restarts = 3,
        });

        var table = await Dokkaa("ps", "--app", app);
        var byHost = await Dokkaa("ps", "--app", app, "--host", host);
        var json = await Dokkaa("ps", "--app", app, "-o", "json");

        AssertOk(table);
        var rows = TextTable.Parse(table.StdOut);
        Assert.Equal(2, rows.Count);
        Assert.Equal($"{app}---web", rows[0]["CONTAINER"]);
        Assert.Equal(host, rows[0]["HOST"]);
        Assert.Equal("127.0.0.1", rows[0]["ADDRESS"]);
        Assert.Equal("running", rows[0]["STATE"]);
        Assert.Equal("127.0.0.1:32768->80/tcp", rows[0]["PORTS"]);
        Assert.Equal("", rows[0]["ERROR"]);
        Assert.Equal($"{app}---web---2", rows[1]["CONTAINER"]);
        Assert.Equal("failed", rows[1]["STATE"]);
        Assert.Equal("exited at once (code 127)", rows[1]["ERROR"]);

        AssertOk(byHost);
        Assert.Equal($"{app}---web", Assert.Single(TextTable.Parse(byHost.StdOut))["CONTAINER"]);

        AssertOk(json);
        var items = ParseJson(json.StdOut).EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("Running", items[0].GetProperty("state").GetString());
        Assert.Equal(32768, items[0].GetProperty("ports").GetProperty("80/tcp").GetInt32());
        Assert.Equal(2, items[1].GetProperty("instance").GetInt32());
        Assert.Equal(3, items[1].GetProperty("restarts").GetInt32());
    }

    [Fact]
    public async Task PsOfAnAppWithoutClaimsIsEmpty()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);

        var result = await Dokkaa("ps", "--app", app, "-o", "json");

        AssertOk(result);
        Assert.Empty(ParseJson(result.StdOut).EnumerateArray());
    }

    [Fact]
    public async Task HostsListsHostRecordsWithTheirInstanceCount()
    {
        var app = NewName();
        var host = NewName('h');
        await Etcd.PutHostAsync(host, new HostRecord
        {
            Address = "192.0.2.7",
            AgentVersion = "0.1.0",
            StartedAt = Started,
            Capacity = 5,
            Labels = new Dictionary<string, string> { ["zone"] = "a" },
        });
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 1), Running(host, 32768));
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 2), Running(host, 32769));

        var table = await Dokkaa("hosts");
        var json = await Dokkaa("hosts", "-o", "json");

        AssertOk(table);
        var row = Assert.Single(TextTable.Parse(table.StdOut), r => r["HOST"] == host);
        Assert.Equal("192.0.2.7", row["ADDRESS"]);
        Assert.Equal("2", row["INSTANCES"]);
        Assert.Equal("5", row["CAPACITY"]);
        Assert.Equal("no", row["DRAINING"]);
        Assert.Equal("0.1.0", row["VERSION"]);
        Assert.Equal(Started.ToString("u", CultureInfo.InvariantCulture), row["STARTED"]);

        AssertOk(json);
        var item = Assert.Single(ParseJson(json.StdOut).EnumerateArray(), h => h.GetProperty("name").GetString() == host);
        Assert.Equal(2, item.GetProperty("instances").GetInt32());
        Assert.Equal("a", item.GetProperty("labels").GetProperty("zone").GetString());
    }

    [Fact]
    public async Task ResolveGivesTheHostAddressAndPublishedPortOfRunningInstances()
    {
        var app = NewName();
        var host = NewName('h');
        await ApplyAsync(app, "web", Web);
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 1), Running(host, 32768));
        // Not serving: a failed instance, and a starting one whose port is not published yet.
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 2), Running(host, 32769) with { State = InstanceState.Starting });

        var table = await Dokkaa("resolve", "web", "--app", app);
        var json = await Dokkaa("resolve", "web", "--app", app, "-o", "json");

        AssertOk(table);
        var row = Assert.Single(TextTable.Parse(table.StdOut));
        Assert.Equal("127.0.0.1:32768", row["ENDPOINT"]);
        Assert.Equal(host, row["HOST"]);
        Assert.Equal("1", row["INSTANCE"]);
        Assert.Contains("127.0.0.1:32768", table.StdOut, StringComparison.Ordinal);

        AssertOk(json);
        var endpoint = Assert.Single(ParseJson(json.StdOut).EnumerateArray());
        Assert.Equal("127.0.0.1", endpoint.GetProperty("address").GetString());
        Assert.Equal(32768, endpoint.GetProperty("port").GetInt32());
        Assert.Equal(80, endpoint.GetProperty("containerPort").GetInt32());
        Assert.False(endpoint.TryGetProperty("instanceId", out _), "the derived InstanceId is noise in JSON");
    }

    [Fact]
    public async Task ResolveWithoutAppLooksInEveryApp()
    {
        var service = NewName('s');
        var app = NewName();
        await ApplyAsync(app, "web", $$$"""{"image":"dockerfile/nginx","services":{"{{{service}}}":8080}}""");
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 1), Running(NewName('h'), 40000) with { Ports = new Dictionary<string, int> { ["8080/tcp"] = 40000 } });

        var result = await Dokkaa("resolve", service);

        AssertOk(result);
        var row = Assert.Single(TextTable.Parse(result.StdOut));
        Assert.Equal(app, row["APP"]);
        Assert.Equal("127.0.0.1:40000", row["ENDPOINT"]);
    }

    [Fact]
    public async Task ResolveOfAnUnknownServiceFails()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);
        await Etcd.PutRecordAsync(KeyLayout.Instance(app, "web", 1), Running(NewName('h'), 32768));

        var error = AssertFails(await Dokkaa("resolve", "nosuch", "--app", app));

        Assert.Contains("nosuch", error, StringComparison.Ordinal);
    }

    private static InstanceRecord Running(string host, int hostPort) => new()
    {
        Host = host,
        Address = "127.0.0.1",
        ContainerId = "c0ffee",
        ManifestHash = "0123456789abcdef",
        State = InstanceState.Running,
        Ports = new Dictionary<string, int> { ["80/tcp"] = hostPort },
        UpdatedAt = Started,
    };
}
