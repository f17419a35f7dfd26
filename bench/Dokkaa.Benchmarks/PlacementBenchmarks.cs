using BenchmarkDotNet.Attributes;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Placement;

namespace Dokkaa.Benchmarks;

/// <summary>
/// The placement hot spots the scale simulation found (bench/simulate.sh): ranking 1,000 hosts for a
/// manifest of 100 unclaimed instances, and one rendezvous weight.
/// </summary>
[MemoryDiagnoser]
public class PlacementBenchmarks
{
    private ClusterState _state = ClusterState.Empty;
    private ManifestEntry _entry = null!;

    [GlobalSetup]
    public void Setup()
    {
        // 1,000 hosts, 100 manifests of 10 running instances, and one manifest of scale 100 with nothing claimed.
        var state = Snapshots.Build(manifests: 100, scale: 10, hosts: 1000);
        _state = state.Apply(new Dokkaa.Core.Etcd.WatchEvent(Dokkaa.Core.Etcd.WatchEventType.Put,
            new Dokkaa.Core.Etcd.KeyValue(KeyLayout.Manifest("new", "web"), """{"image":"shop/web:1","scale":100}""", state.Revision + 1, state.Revision + 1, 1, 0)));
        _entry = _state.Manifests[new ManifestId("new", "web")];
    }

    /// <summary>Plan 100 instances over 1,000 hosts and take each one's best host (what every agent's pass does).</summary>
    [Benchmark]
    public int Plan100On1000Hosts()
    {
        var n = 0;
        foreach (var planned in PlacementPlanner.Plan(_state, _entry.Id, _entry.Effective!))
            n += planned.Best is null ? 0 : 1;
        return n;
    }

    /// <summary>One rendezvous weight (host id and instance key as the agents make them).</summary>
    [Benchmark]
    public ulong RendezvousWeight() => RendezvousHash.Weight("h00042", "/dokkaa/instances/app0042/svc3/17");
}
