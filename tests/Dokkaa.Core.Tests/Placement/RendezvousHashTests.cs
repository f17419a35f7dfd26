using Dokkaa.Core.Placement;
using Xunit;

namespace Dokkaa.Core.Tests.Placement;

public sealed class RendezvousHashTests
{
    private static string Key(int i) => $"/dokkaa/instances/dummy/nginx/{i}";

    [Fact]
    public void Weight_depends_on_both_the_host_and_the_key()
    {
        Assert.NotEqual(RendezvousHash.Weight("a", Key(1)), RendezvousHash.Weight("b", Key(1)));
        Assert.NotEqual(RendezvousHash.Weight("a", Key(1)), RendezvousHash.Weight("a", Key(2)));
    }

    [Fact]
    public void Weight_does_not_change_between_versions()
    {
        // Agents of different versions must rank hosts alike during an upgrade: these values are fixed.
        Assert.Equal(14597707769563538608UL, RendezvousHash.Weight("node-1", Key(1)));
        Assert.Equal(13885148334637092335UL, RendezvousHash.Weight(new string('h', 100) + "ü", Key(1)));
    }

    [Fact]
    public void Weight_of_long_names_is_the_same_hash_as_short_ones()
    {
        // Names over the stack buffer take another path; it must hash the same bytes (FNV-1a + splitmix).
        var host = new string('x', 300);
        Assert.Equal(Reference(host, Key(7)), RendezvousHash.Weight(host, Key(7)));
        Assert.Equal(Reference("node-1", Key(7)), RendezvousHash.Weight("node-1", Key(7)));
    }

    [Fact]
    public void Highest_weight_spreads_keys_evenly()
    {
        var hosts = new[] { "a", "b", "c" };
        var wins = Enumerable.Range(1, 3000)
            .GroupBy(i => hosts.MaxBy(h => RendezvousHash.Weight(h, Key(i))))
            .ToDictionary(g => g.Key!, g => g.Count());

        Assert.All(hosts, h => Assert.InRange(wins[h], 850, 1150));
    }

    [Fact]
    public void Removing_a_host_only_moves_its_own_keys()
    {
        string Winner(IEnumerable<string> hosts, int i) => hosts.MaxBy(h => RendezvousHash.Weight(h, Key(i)))!;
        var all = new[] { "a", "b", "c", "d" };
        var withoutC = new[] { "a", "b", "d" };

        for (var i = 1; i <= 500; i++)
        {
            var before = Winner(all, i);
            if (before != "c")
                Assert.Equal(before, Winner(withoutC, i));
        }
    }

    private static ulong Reference(string host, string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(host + "\n" + key))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        hash ^= hash >> 31;
        return hash;
    }
}
