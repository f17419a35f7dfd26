using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.CommandLine;

/// <summary>One log format for the agent and the DNS-only server: single lines with milliseconds, to stderr.</summary>
internal static class Logging
{
    public static ILoggerFactory Create(bool verbose) => LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        })
        .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information));
}
