using Dokkaa.Core.Cluster;

namespace Dokkaa.Simulation;

/// <summary>
/// How evenly a converged state is spread. Per manifest: max - min instances over the live hosts (the best
/// possible is 0 when the scale divides by the host count, else 1). Per host: instances it runs.
/// </summary>
public sealed record Spread(
    int Instances,
    int Running,
    int Unclaimed,
    int WorstManifestSpread,
    int ManifestsAboveIdeal,
    int MinPerHost,
    int MaxPerHost,
    double MeanPerHost,
    double StdDevPerHost)
{
    public static Spread Of(ClusterState state)
    {
        var hosts = state.Hosts.Keys.ToList();
        var perHost = hosts.ToDictionary(h => h, _ => 0, StringComparer.Ordinal);
        int desired = 0, running = 0, claimed = 0, worst = 0, aboveIdeal = 0;
        var perManifest = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, entry) in state.Manifests)
        {
            var scale = entry.Effective?.Scale ?? 0;
            desired += scale;
            perManifest.Clear();
            foreach (var claim in state.ClaimsOf(id))
            {
                if (claim.Id.Instance > scale || !perHost.ContainsKey(claim.Record.Host))
                    continue;
                claimed++;
                if (claim.Record.State == InstanceState.Running)
                    running++;
                perHost[claim.Record.Host]++;
                perManifest[claim.Record.Host] = perManifest.GetValueOrDefault(claim.Record.Host) + 1;
            }

            var max = perManifest.Count == 0 ? 0 : perManifest.Values.Max();
            var min = perManifest.Count < hosts.Count ? 0 : perManifest.Values.Min();
            var spread = max - min;
            worst = Math.Max(worst, spread);
            var ideal = scale % Math.Max(1, hosts.Count) == 0 ? 0 : 1;
            if (spread > ideal)
                aboveIdeal++;
        }

        var loads = perHost.Values.ToList();
        var mean = loads.Count == 0 ? 0 : loads.Average();
        var stddev = loads.Count == 0 ? 0 : Math.Sqrt(loads.Sum(l => (l - mean) * (l - mean)) / loads.Count);
        return new Spread(desired, running, desired - claimed, worst, aboveIdeal,
            loads.Count == 0 ? 0 : loads.Min(), loads.Count == 0 ? 0 : loads.Max(), mean, stddev);
    }

    public override string ToString() =>
        $"{Running:N0}/{Instances:N0} running, {Unclaimed:N0} unclaimed; per manifest max-min {WorstManifestSpread} " +
        $"(manifests above the ideal 0/1: {ManifestsAboveIdeal}); per host {MinPerHost}..{MaxPerHost} instances " +
        $"(mean {MeanPerHost:0.0}, sd {StdDevPerHost:0.00})";
}
