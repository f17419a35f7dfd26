using System.CommandLine;
using Dokkaa.Agent.CommandLine;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>Parses agent flags as dokkaa-agent does (with a fixed --host-ip, so no test depends on this machine's addresses).</summary>
internal static class AgentFlagParser
{
    public static Hosting.AgentOptions Parse(params string[] args)
    {
        var flags = new AgentFlags();
        var root = new RootCommand();
        foreach (var option in flags.All)
            root.Options.Add(option);
        return flags.ToOptions(root.Parse(args.Concat(new[] { "--host-ip", "127.0.0.1" }).ToArray()));
    }
}
