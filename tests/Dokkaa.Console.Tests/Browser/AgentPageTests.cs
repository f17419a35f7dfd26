using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Dokkaa.WebConsole.Tests.Support;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Dokkaa.WebConsole.Tests.Browser;

/// <summary>A browser test that needs a real agent, so Docker too: skipped, saying why, where either is missing.</summary>
public sealed class AgentFactAttribute : FactAttribute
{
    public AgentFactAttribute()
    {
        if (!Chromium.Installed)
            Skip = $"SKIPPED: browser test not run, Chromium is not installed at {Chromium.Path} (apt-get install chromium, or scripts/setup.sh)";
        else
            Skip = DockerFactAttribute.MissingReason;
    }
}

/// <summary>
/// The whole path once, with a real dokkaa-agent and Docker: scale from the page, the agent starts the
/// container, its claim makes the page's running count move; remove from the page, the agent removes it.
/// </summary>
public sealed class AgentPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Image = "dokkaa/busybox:test";

    private static readonly LocatorAssertionsToHaveTextOptions Slow = new() { Timeout = 120_000 };

    [AgentFact]
    public async Task ScaleFromThePageAndARealAgentRunsIt()
    {
        var app = ClusterWriter.NewName('a');
        var host = ClusterWriter.NewName('h');
        var dataDir = Directory.CreateTempSubdirectory("dokkaa-console-agent-").FullName;
        var ambassador = 43000 + Random.Shared.Next(0, 500) * 10;
        await using var agent = RunningProcess.Start(RepoPaths.Agent, new[]
        {
            "--etcd", fixture.Console.EtcdServer.Endpoint, "--host-id", host, "--host-ip", "127.0.0.1", "--data-dir", dataDir,
            "--lease-ttl", "3s", "--http-listen", "none", "--dns-listen", "none", "--ambassador-ports", $"{ambassador}-{ambassador + 9}",
        });
        try
        {
            await fixture.Console.Cluster.PutManifestAsync(app, "web",
                $$"""{"image":"{{Image}}","scale":1,"services":{"web":80},"command":["sh","-c","mkdir -p /www && exec httpd -f -p 80 -h /www"]}""");
            var page = await fixture.OpenAsync();
            try
            {
                await Expect(page.Locator($"tr.host[data-host='{host}'] .address")).ToHaveTextAsync("127.0.0.1", Slow);
                var row = page.Locator($"tr.app[data-app='{app}'][data-name='web']");
                await Expect(row.Locator(".running")).ToHaveTextAsync("1", Slow);

                await row.Locator("button.scale-up").ClickAsync();
                await Expect(row.Locator(".desired-count")).ToHaveTextAsync("2");
                await Expect(row.Locator(".running")).ToHaveTextAsync("2", Slow);
                await Expect(row.Locator(".instance[data-instance='2'] .ports")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^127\.0\.0\.1:\d+→80/tcp$"), new() { Timeout = 120_000 });
                await Expect(page.Locator($"tr.host[data-host='{host}'] .container-count")).ToHaveTextAsync("2 containers");
                await BrowserFixture.ScreenshotAsync(page, "agent-scaled");

                await row.Locator("button.remove").ClickAsync();
                await page.Locator("#remove-confirm").ClickAsync();
                await Expect(row).ToHaveCountAsync(0);
                // The agent stops and removes the containers and deletes the claims.
                await Expect(page.Locator($"tr.host[data-host='{host}'] .container-count")).ToHaveTextAsync("0 containers", Slow);
                await Poll.UntilAsync(async () => (await ContainersOfAsync(app)).Length == 0, $"the agent to remove {app}'s containers", TimeSpan.FromSeconds(120));
            }
            catch (Exception e)
            {
                await BrowserFixture.ScreenshotAsync(page, "failed-agent");
                throw new Xunit.Sdk.XunitException($"{e.Message}\nagent output:\n{agent.Output}", e);
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }
        finally
        {
            // Whatever happened, leave no container behind (the agent is killed, not asked to clean up).
            var left = await ContainersOfAsync(app);
            if (left.Length > 0)
                await ProcessRunner.RunAsync("docker", new[] { "rm", "-f" }.Concat(left).ToArray());
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<string[]> ContainersOfAsync(string app)
    {
        var result = await ProcessRunner.RunAsync("docker", "ps", "-aq", "--filter", $"label={ContainerNames.AppLabel}={app}");
        return result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
