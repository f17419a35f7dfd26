using System.Net;
using System.Text.RegularExpressions;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Dns.Tests.Support;

/// <summary>What dig or kdig printed, split into its sections; record lines with single spaces.</summary>
public sealed partial record DigOutput(string Text)
{
    /// <summary>The status word: NOERROR, NXDOMAIN, REFUSED... (dig: "status: X,", kdig: "status: X;").</summary>
    public string Status => StatusPattern().Match(Text) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no status in:\n" + Text);

    /// <summary>The header flags, e.g. ["qr", "aa", "rd"].</summary>
    public IReadOnlyList<string> Flags => FlagsPattern().Match(Text) is { Success: true } m
        ? m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        : throw new InvalidOperationException("no flags in:\n" + Text);

    public IReadOnlyList<string> Answer => Section("ANSWER");

    public IReadOnlyList<string> Authority => Section("AUTHORITY");

    public IReadOnlyList<string> Additional => Section("ADDITIONAL");

    private IReadOnlyList<string> Section(string name)
    {
        var lines = new List<string>();
        var inside = false;
        foreach (var raw in Text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith(";; ", StringComparison.Ordinal) && line.EndsWith("SECTION:", StringComparison.Ordinal))
            {
                inside = line == $";; {name} SECTION:";
                continue;
            }

            if (line.Length == 0 || line.StartsWith(';'))
            {
                if (line.Length == 0)
                    inside = false;
                continue;
            }

            if (inside)
                lines.Add(Spaces().Replace(line, " "));
        }

        return lines;
    }

    public override string ToString() => Text;

    [GeneratedRegex(@"status: ([A-Z]+)[,;]")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@";; [Ff]lags: ([a-z ]*);")]
    private static partial Regex FlagsPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

/// <summary>Runs the real clients: dig (bind9-dnsutils) and kdig (knot-dnsutils), one try each so a lost answer fails.</summary>
public static class DigTool
{
    public static Task<DigOutput> DigAsync(IPEndPoint server, params string[] args) =>
        RunAsync("dig", ["@" + server.Address, "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+tries=1", "+time=5", .. args]);

    public static Task<DigOutput> KdigAsync(IPEndPoint server, params string[] args) =>
        RunAsync("kdig", ["@" + server.Address, "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+retry=0", "+time=5", .. args]);

    private static async Task<DigOutput> RunAsync(string tool, string[] args)
    {
        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync(tool, args, timeout: TimeSpan.FromSeconds(30));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is not installed (apt-get install bind9-dnsutils knot-dnsutils): {e.Message}", e);
        }

        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited with {result.ExitCode}:\n{result.All}");
        return new DigOutput(result.StdOut);
    }
}
