using System.Net;
using Dokkaa.Agent.Ambassador;
using Dokkaa.Agent.Containers;
using Dokkaa.Agent.Tests.Docker;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>What the release sweep keeps, from a Docker list (stubbed: labels only a long-gone agent would have left).</summary>
public sealed class LinkPortsInUseTests
{
    [Fact]
    public async Task Labelled_containers_keep_their_ports_and_older_ones_the_links_of_their_manifest()
    {
        // One container from this agent (ports in a label, stopped: it is started again with the same env);
        // one from before the label existed, whose manifest links "db" and "cache.other".
        var handler = new StubDockerHandler(HttpStatusCode.OK, """
            [
              {"Id":"1","Names":["/shop---web"],"State":"exited","Labels":{"io.dokkaa.app":"shop","io.dokkaa.name":"web","io.dokkaa.instance":"1","io.dokkaa.host":"h","io.dokkaa.ambassador-ports":"42000,42007"}},
              {"Id":"2","Names":["/shop---old"],"State":"running","Labels":{"io.dokkaa.app":"shop","io.dokkaa.name":"old","io.dokkaa.instance":"1","io.dokkaa.host":"h"}}
            ]
            """);
        using var docker = handler.Client();
        var local = await LocalContainers.ReadAsync(docker, "h", CancellationToken.None);
        var state = new ClusterStateBuilder().Put(KeyLayout.Manifest("shop", "old"), """{"image":"dokkaa/busybox:test","links":["db","cache.other"]}""").State;

        var use = LinkPortsInUse.Of(local, state);

        Assert.True(use.Uses("anything.shop", 42000));
        Assert.True(use.Uses("anything.shop", 42007));
        Assert.True(use.Uses("db.shop", 42999));
        Assert.True(use.Uses("cache.other", 42999));
        Assert.False(use.Uses("db.other", 42001));
    }
}
