using System.CommandLine;
using Dokkaa.Cli.Commands;

namespace Dokkaa.Cli;

/// <summary><c>dokkaa</c>: the operator's tool for shells without PowerShell (daprdockrcmd's successor).</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => BuildCommand().Parse(args).InvokeAsync();

    internal static RootCommand BuildCommand()
    {
        var root = new RootCommand("Dokkaa: run Docker containers across a cluster of hosts.")
        {
            CliContext.Output,
            ManifestCommands.Apply(),
            ManifestCommands.Get(),
            ManifestCommands.Remove(),
            ManifestCommands.Scale(),
            ClusterCommands.Ps(),
            ClusterCommands.Hosts(),
            ClusterCommands.Status(),
            ClusterCommands.Resolve(),
            ClusterCommands.Wait(),
            MoveCommands.Drain(),
            MoveCommands.Undrain(),
            MoveCommands.Rebalance(),
            DevCommands.Dev(),
            WebConsole.Hosting.ConsoleCommand.Create(CliContext.Etcd),
        };
        CliContext.Etcd.AddTo(root);
        return root;
    }
}
