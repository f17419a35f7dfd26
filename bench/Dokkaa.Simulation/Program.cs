using System.Globalization;
using Dokkaa.Simulation;

// Dokkaa at a thousand times this machine, by simulation: the real placement and claim code against the
// in-memory etcd (bench/simulate.sh). Prints each scenario as it goes and the comparison with the peers last.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

SimulationOptions options;
try
{
    options = SimulationOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"Dokkaa.Simulation: {e.Message}");
    return 2;
}

Console.WriteLine($"# Dokkaa placement simulation ({Environment.ProcessorCount} cores, store latency {options.Latency.TotalMilliseconds:0.#} ms mean, " +
                  $"{options.MaxInFlight} calls in flight, {options.FailFraction:P0} of hosts killed)");
var results = new List<ScenarioResult>();
double? costPerPair = null; // planning seconds per (instance x host), measured on the scenarios run so far
foreach (var requested in options.Scenarios)
{
    var scenario = requested;
    string? scaledNote = null;
    if (costPerPair is { } cost)
    {
        var projected = cost * scenario.Instances * (double)scenario.Hosts;
        if (projected > options.Budget.TotalSeconds)
        {
            var factor = Math.Ceiling(projected / options.Budget.TotalSeconds);
            var instances = (int)(scenario.Instances / factor / 1000) * 1000;
            scaledNote = $"scaled down from {requested.Instances:N0} instances: planning alone was projected at {projected / 60:0} min " +
                         $"(measured {cost * 1e9:0.0} ns per instance x host), over the {options.Budget.TotalMinutes:0} min budget";
            scenario = scenario with { Instances = Math.Max(1000, instances) };
        }
    }

    Console.WriteLine();
    Console.WriteLine($"## {scenario}" + (scaledNote is null ? "" : $" ({scaledNote})"));
    var result = await ScenarioRunner.RunAsync(scenario, options, scaledNote);
    results.Add(result);
    var pairs = (double)scenario.Instances * scenario.Hosts;
    costPerPair = Math.Max(costPerPair ?? 0, result.Placement.Planning.TotalSeconds / pairs);
}

Report.Summary(results, options);
return 0;

/// <summary>Everything one scenario measured.</summary>
public sealed record ScenarioResult(
    Scenario Scenario,
    string? ScaledNote,
    int Manifests,
    TimeSpan Register,
    ConvergenceResult Placement,
    Spread AfterPlacement,
    PassCost? SteadyPass,
    int KilledHosts,
    int OrphanedInstances,
    PassCost? FailurePass,
    ConvergenceResult Recovery,
    Spread AfterRecovery,
    long PeakManagedBytes);

public static class ScenarioRunner
{
    public static async Task<ScenarioResult> RunAsync(Scenario scenario, SimulationOptions options, string? scaledNote)
    {
        await using var cluster = new SimulatedCluster(options);
        var register = await cluster.RegisterHostsAsync(scenario.Hosts);
        Console.WriteLine($"registered {scenario.Hosts:N0} hosts in {register.TotalSeconds:0.0} s");
        var manifests = await cluster.WriteManifestsAsync(scenario.Instances);
        Console.WriteLine($"wrote {manifests:N0} manifests (scales 1..300, {scenario.Instances:N0} instances)");

        var placement = await cluster.ConvergeAsync();
        var spread = Spread.Of(cluster.State);
        Report.Convergence("placement", placement, scenario.Instances);
        Console.WriteLine($"spread: {spread}");
        var peak = GC.GetTotalMemory(forceFullCollection: false);

        PassCost? steady = null;
        if (options.AgentPass)
        {
            steady = AgentPass.Run(cluster.State, cluster.Hosts.Last());
            Report.Pass("one agent's reconcile pass, converged", steady);
        }

        var (killed, orphaned) = await cluster.KillAsync(options.FailFraction);
        Console.WriteLine($"killed {killed:N0} hosts at once ({orphaned:N0} instances lost their claims)");
        PassCost? failurePass = null;
        if (options.AgentPass)
        {
            failurePass = AgentPass.Run(cluster.State, cluster.Hosts.Last());
            Report.Pass("one agent's reconcile pass, right after the failure", failurePass);
        }

        var recovery = await cluster.ConvergeAsync();
        var after = Spread.Of(cluster.State);
        Report.Convergence("re-placement", recovery, orphaned);
        Console.WriteLine($"spread: {after}");
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
        Console.WriteLine($"managed heap {peak / (1024.0 * 1024 * 1024):0.0} GiB (store, history, one cluster view), process {Environment.WorkingSet / (1024.0 * 1024 * 1024):0.0} GiB");
        return new ScenarioResult(scenario, scaledNote, manifests, register, placement, spread, steady, killed, orphaned, failurePass, recovery, after, peak);
    }
}

public static class Report
{
    public static void Convergence(string what, ConvergenceResult r, int instances)
    {
        var s = r.Store;
        var per = Math.Max(1, instances);
        Console.WriteLine($"{what}: {r.Wall.TotalSeconds:0.0} s wall ({instances / Math.Max(0.001, r.Wall.TotalSeconds):N0} instances/s), " +
                          $"planning {r.Planning.TotalSeconds:0.0} s of it, {r.Rounds} rounds; {r.Claims:N0} claims ({r.LostClaims} lost), " +
                          $"{r.Updates:N0} Running reports, {r.StatusWrites:N0} status writes");
        Console.WriteLine($"  store calls: {s.Total:N0} = {(double)s.Total / per:0.00} per instance (txn {s.Txns:N0}, range {s.Ranges:N0}, put {s.Puts:N0}, " +
                          $"delete {s.Deletes:N0}, lease {s.LeaseGrants + s.LeaseKeepAlives + s.LeaseRevokes:N0}); " +
                          $"watch events {r.WatchEvents:N0} = {(double)r.WatchEvents / per:0.00} per instance, delivered to every agent");
    }

    public static void Pass(string what, PassCost p) =>
        Console.WriteLine($"{what}: {Ms(p.Total)} to decide (PassPlanner.Plan, {p.Unclaimed:N0} instances unclaimed): {p.Claims:N0} claims, " +
                          $"{p.Ensures:N0} ensures, {p.Stops:N0} stops, {p.Statuses:N0} status writes; it owns {p.Mine:N0}");

    public static void Summary(IReadOnlyList<ScenarioResult> results, SimulationOptions options)
    {
        // Published peers (looked up for issue 6; see bench/README.md):
        // Nomad C1M: 1,000,000 containers on 5,000 hosts in under 5 minutes, 3,750/s (https://www.hashicorp.com/c1m)
        // Nomad C2M: 2,000,000 containers on 6,100 hosts in 22 min 14 s, ~1,500/s (https://www.hashicorp.com/c2m)
        // Kubernetes: at most 5,000 nodes, 150,000 pods, 110 pods per node (https://kubernetes.io/docs/setup/best-practices/cluster-large/)
        // etcd: ~44,000 writes/s with 1,000 clients to the leader of 3 members (https://etcd.io/docs/v3.4/op-guide/performance/)
        const double c1mRate = 1_000_000 / 300.0;
        const double c2mRate = 2_000_000 / (22 * 60 + 14.0);
        const double etcdWrites = 44_341;

        Console.WriteLine();
        Console.WriteLine("## Summary (simulation: scheduling and store traffic only; no container starts, one process on this machine)");
        Console.WriteLine();
        Console.WriteLine("| hosts | instances | place: wall | instances/s | store calls/inst. | writes/inst. | at etcd's 44k writes/s | watch events to all agents | agent pass (converged) | 10% die: instances | re-place: wall | agent pass (after failure) | per-manifest max-min | per-host min..max |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var n = r.Scenario.Instances;
            var p = r.Placement;
            var writes = p.Store.Txns + p.Store.Puts + p.Store.Deletes;
            Console.WriteLine($"| {r.Scenario.Hosts:N0} | {n:N0}{(r.ScaledNote is null ? "" : " (scaled down)")} | {p.Wall.TotalSeconds:0.0} s | {n / p.Wall.TotalSeconds:N0} | " +
                              $"{(double)p.Store.Total / n:0.00} | {(double)writes / n:0.00} | ≥ {writes / etcdWrites:0.0} s | " +
                              $"{p.WatchEvents * (double)r.Scenario.Hosts:0.00e0} | {(r.SteadyPass is null ? "-" : Ms(r.SteadyPass.Total))} | " +
                              $"{r.OrphanedInstances:N0} | {r.Recovery.Wall.TotalSeconds:0.0} s | {(r.FailurePass is null ? "-" : Ms(r.FailurePass.Total))} | " +
                              $"{r.AfterRecovery.WorstManifestSpread} | {r.AfterRecovery.MinPerHost}..{r.AfterRecovery.MaxPerHost} |");
        }

        Console.WriteLine();
        Console.WriteLine("Peers (published figures, real clusters):");
        Console.WriteLine($"- Nomad C1M: 1,000,000 containers on 5,000 hosts in under 5 min = {c1mRate:N0}/s (https://www.hashicorp.com/c1m)");
        Console.WriteLine($"- Nomad C2M: 2,000,000 containers on 6,100 hosts in 22 min 14 s = {c2mRate:N0}/s (https://www.hashicorp.com/c2m)");
        Console.WriteLine("- Kubernetes: supported up to 5,000 nodes, 150,000 pods, 110 pods per node (https://kubernetes.io/docs/setup/best-practices/cluster-large/)");
        Console.WriteLine();
        Console.WriteLine("Ratios (Dokkaa's simulated scheduling rate / the peer's published end-to-end rate; > 1 is faster):");
        foreach (var r in results)
        {
            var rate = r.Scenario.Instances / r.Placement.Wall.TotalSeconds;
            var writes = r.Placement.Store.Txns + r.Placement.Store.Puts + r.Placement.Store.Deletes;
            var etcdBound = Math.Min(rate, r.Scenario.Instances / (writes / etcdWrites));
            var k8s = r.Scenario.Hosts <= 5_000 && r.Scenario.Instances <= 150_000 ? "within" : "beyond";
            Console.WriteLine($"- {r.Scenario}: {rate:N0}/s; vs C1M {rate / c1mRate:0.00}, vs C2M {rate / c2mRate:0.00}; " +
                              $"capped at etcd's write rate {etcdBound:N0}/s: vs C1M {etcdBound / c1mRate:0.00}, vs C2M {etcdBound / c2mRate:0.00}; " +
                              $"{k8s} Kubernetes' 5,000-node / 150,000-pod limits ({r.Scenario.Hosts / 5000.0:0.0}x nodes, {r.Scenario.Instances / 150_000.0:0.0}x pods)");
        }

        var keepAlives = results.Max(r => r.Scenario.Hosts) / (10.0 / 4);
        Console.WriteLine();
        Console.WriteLine($"Not simulated: lease keep-alives (one per host every TTL/4: {keepAlives:N0}/s at {results.Max(r => r.Scenario.Hosts):N0} hosts and the default 10 s TTL), " +
                          "and each agent applying the watch stream (the one view here applies every event once; each real agent does the same work).");
        _ = options;
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds >= 10_000 ? $"{t.TotalSeconds:0.0} s" : $"{t.TotalMilliseconds:0} ms";
}
