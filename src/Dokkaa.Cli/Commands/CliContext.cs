using System.CommandLine;
using Dokkaa.Core.Operations;
using Dokkaa.Etcd;
using Dokkaa.WebConsole.CommandLine;

namespace Dokkaa.Cli.Commands;

/// <summary>Options every cluster command shares, and the one place that turns them into a connection.</summary>
public static class CliContext
{
    /// <summary>--etcd and the TLS and user flags, on the root command and so on every subcommand.</summary>
    public static readonly EtcdFlags Etcd = new(recursive: true);

    public static readonly Option<string> Output = new Option<string>("--output", "-o")
    {
        Description = "Output format: table or json.",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    }.AcceptOnlyFromAmong("table", "json");

    public static bool Json(ParseResult result) => string.Equals(result.GetValue(Output), "json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs an operation against the cluster; Dokkaa errors become one clear line and exit code 1.</summary>
    public static async Task<int> RunAsync(ParseResult result, Func<ClusterOperations, Task<int>> action)
    {
        try
        {
            using var etcd = EtcdClients.Create(Etcd.ToOptions(result));
            return await action(new ClusterOperations(etcd)).ConfigureAwait(false);
        }
        catch (DokkaaException e)
        {
            await Console.Error.WriteLineAsync($"dokkaa: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"dokkaa: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
