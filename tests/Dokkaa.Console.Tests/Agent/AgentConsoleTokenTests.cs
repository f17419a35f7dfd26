using System.Net;
using System.Text.RegularExpressions;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Hosting;
using Dokkaa.WebConsole.Tests.Support;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Agent;

/// <summary>
/// <c>dokkaa-agent --console</c> without <c>$DOKKAA_CONSOLE_TOKEN</c>, as a process: the token it generates goes to a
/// file only the agent's user can read, and never into its log (logs are shipped and read far more widely).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes; the agent runs on Linux
public sealed partial class AgentConsoleTokenTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [DockerFact]
    public async Task AGeneratedTokenIsWrittenToAnOwnerOnlyFileAndNeverLogged()
    {
        var dataDir = Directory.CreateTempSubdirectory("dokkaa-console-token-").FullName;
        var tokenFile = Path.Combine(dataDir, "console-token");
        // A token file an earlier run left readable by everyone: it must be replaced, not rewritten in place.
        const string stale = "stale-token-from-an-earlier-run";
        File.WriteAllText(tokenFile, stale);
        File.SetUnixFileMode(tokenFile, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            await using var agent = RunningProcess.Start(RepoPaths.Agent, new[]
                {
                    "--etcd", fixture.EtcdServer.Endpoint, "--host-id", ClusterWriter.NewName('h'), "--host-ip", "127.0.0.1", "--data-dir", dataDir,
                    "--lease-ttl", "3s", "--http-listen", "none", "--dns-listen", "none", "--console", "127.0.0.1:0",
                },
                new Dictionary<string, string> { [ConsoleCommand.TokenVariable] = "" });
            var startedLine = await agent.LineAsync(l => ConsoleStarted().IsMatch(l), Limit);
            var url = new Uri(ConsoleStarted().Match(startedLine).Groups["url"].Value);

            Assert.Equal(OwnerOnly, File.GetUnixFileMode(tokenFile));
            var token = File.ReadAllText(tokenFile).Trim();
            Assert.NotEqual(stale, token);
            Assert.True(token.Length >= 32, token);
            Assert.Contains($"in {tokenFile} (mode 0600)", startedLine, StringComparison.Ordinal);

            // The file holds the console's real token: a change with it is authorised, one without it is not.
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
            var path = ConsoleFixture.ManifestPath(ClusterWriter.NewName(), "web");
            using (var refused = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Put, path, """{"image":"dockerfile/nginx","scale":0}""", token: stale)))
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using (var created = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Put, path, """{"image":"dockerfile/nginx","scale":0}""", token: token)))
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using (var removed = await http.SendAsync(ConsoleFixture.Request(HttpMethod.Delete, path, token: token)))
                Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);

            Assert.DoesNotContain(token, agent.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [GeneratedRegex(@"Web console and API on (?<url>http://\S+/);")]
    private static partial Regex ConsoleStarted();
}
