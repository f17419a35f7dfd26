using System.Globalization;

namespace Dokkaa.Simulation;

/// <summary>One cluster size to simulate.</summary>
public sealed record Scenario(int Hosts, int Instances)
{
    public override string ToString() => $"{Hosts:N0} hosts, {Instances:N0} instances";
}

/// <summary>Command line of the simulation (see bench/simulate.sh).</summary>
public sealed record SimulationOptions
{
    /// <summary>The four sizes: 1,000 and 10,000 hosts with 100,000 and 1,000,000 instances.</summary>
    public IReadOnlyList<Scenario> Scenarios { get; init; } =
    [
        new(1_000, 100_000),
        new(1_000, 1_000_000),
        new(10_000, 100_000),
        new(10_000, 1_000_000),
    ];

    /// <summary>Mean latency of every store call; each call draws from 0.5x..1.5x of it.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Share of hosts that die at once after placement.</summary>
    public double FailFraction { get; init; } = 0.10;

    /// <summary>Store calls in flight at once, all hosts together (a real agent runs 8 operations at once).</summary>
    public int MaxInFlight { get; init; } = 2048;

    /// <summary>
    /// A scenario whose projected planning time exceeds this is scaled down (instances divided until it fits),
    /// and the output says so.
    /// </summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Also time one agent's full reconcile pass over the converged state (expensive at the largest sizes).</summary>
    public bool AgentPass { get; init; } = true;

    public static SimulationOptions Parse(string[] args)
    {
        var options = new SimulationOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--scenario":
                    // 1000x100000,10000x1000000
                    options = options with
                    {
                        Scenarios = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseScenario).ToList(),
                    };
                    break;
                case "--latency-ms":
                    options = options with { Latency = TimeSpan.FromMilliseconds(double.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--fail":
                    options = options with { FailFraction = double.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--in-flight":
                    options = options with { MaxInFlight = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--budget-s":
                    options = options with { Budget = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--no-agent-pass":
                    options = options with { AgentPass = false };
                    break;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        return options;
    }

    private static Scenario ParseScenario(string text)
    {
        var parts = text.Split('x');
        if (parts.Length != 2)
            throw new ArgumentException($"scenario {text}: expected HOSTSxINSTANCES, e.g. 1000x100000");
        return new Scenario(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
