using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;
using Dokkaa.Core.Status;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Core.Tests.Cluster;

/// <summary>
/// Which host writes each status: the live host with the highest rendezvous weight for the status key. The answers
/// are carried from one set of live hosts to the next; whatever the sequence of joins and deaths, they must be
/// what weighing every live host gives.
/// </summary>
public sealed class StatusWriterTests
{
    [Fact]
    public void Writers_carried_across_joins_and_deaths_are_those_of_weighing_every_host()
    {
        var random = new Random(42);
        var manifests = Enumerable.Range(1, 200).Select(m => new ManifestId("app", $"m{m}")).ToList();
        var live = Enumerable.Range(1, 30).Select(h => $"h{h}").ToHashSet();
        var next = 31;
        var b = new ClusterStateBuilder();
        foreach (var host in live)
            b.Host(host);

        for (var round = 0; round < 40; round++)
        {
            foreach (var id in manifests)
                Assert.Equal(Expected(live, id), StatusCalculator.Writer(b.State, id));

            // Next set: some die (sometimes many at once), some join (sometimes more than are carried over).
            var dying = live.Where(_ => random.Next(round % 5 == 0 ? 3 : 15) == 0).ToList();
            foreach (var host in dying)
            {
                live.Remove(host);
                b.Delete(KeyLayout.Host(host));
            }

            for (var n = random.Next(round % 7 == 0 ? 80 : 4); n > 0; n--)
            {
                var host = $"h{next++}";
                live.Add(host);
                b.Host(host);
            }
        }
    }

    [Fact]
    public void No_live_host_means_no_writer()
    {
        var b = new ClusterStateBuilder().Host("h1");
        var id = new ManifestId("app", "web");
        Assert.Equal("h1", StatusCalculator.Writer(b.State, id));
        Assert.Null(StatusCalculator.Writer(b.Delete(KeyLayout.Host("h1")).State, id));
    }

    private static string? Expected(IEnumerable<string> live, ManifestId id)
    {
        var key = KeyLayout.Status(id.App, id.Name);
        return live.OrderByDescending(h => RendezvousHash.Weight(h, key)).ThenBy(h => h, StringComparer.Ordinal).FirstOrDefault();
    }
}
