using System.CommandLine;
using Dokkaa.Cli.Output;
using Dokkaa.Core.Units;

namespace Dokkaa.Cli.Commands;

/// <summary>drain, undrain, rebalance: moving instances between hosts on purpose.</summary>
public static class MoveCommands
{
    private static Option<string> TimeoutOption() => new("--timeout")
    {
        Description = "How long each move may take before giving up.",
        DefaultValueFactory = _ => "2m",
    };

    public static Command Drain()
    {
        var host = new Argument<string>("host") { Description = "The host to empty before maintenance." };
        var timeout = TimeoutOption();
        var command = new Command("drain", "Stop placing instances on a host and move its instances away, one at a time.") { host, timeout };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var progress = new Progress<string>(Console.WriteLine);
            var moves = await ops.DrainAsync(result.GetValue(host)!, Durations.Parse(result.GetValue(timeout)!, "--timeout"), progress, ct).ConfigureAwait(false);
            Console.WriteLine($"{result.GetValue(host)}: drained ({moves.Count} instance(s) moved); `dokkaa undrain {result.GetValue(host)}` lets it take instances again");
            return 0;
        }));
        return command;
    }

    public static Command Undrain()
    {
        var host = new Argument<string>("host") { Description = "The host to put back into service." };
        var command = new Command("undrain", "Let a drained host take instances again (run rebalance to move some back).") { host };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            await ops.UndrainAsync(result.GetValue(host)!, ct).ConfigureAwait(false);
            Console.WriteLine($"{result.GetValue(host)}: takes instances again");
            return 0;
        }));
        return command;
    }

    public static Command Rebalance()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the moves; make none." };
        var timeout = TimeoutOption();
        var command = new Command("rebalance", "Move the fewest instances needed so each manifest is spread evenly, one at a time.") { dryRun, timeout };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            if (result.GetValue(dryRun))
            {
                var plan = await ops.PlanRebalanceAsync(ct).ConfigureAwait(false);
                if (CliContext.Json(result))
                    Json.Write(Console.Out, plan);
                else
                    Table.Write(Console.Out, new[] { "INSTANCE", "FROM" }, plan.Select(m => (IReadOnlyList<string>)new[] { m.Id.ToString(), m.FromHost }));
                return 0;
            }

            var progress = new Progress<string>(Console.WriteLine);
            var moves = await ops.RebalanceAsync(Durations.Parse(result.GetValue(timeout)!, "--timeout"), progress, ct).ConfigureAwait(false);
            Console.WriteLine(moves.Count == 0 ? "already balanced" : $"{moves.Count} instance(s) moved");
            return 0;
        }));
        return command;
    }
}
