using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.WebConsole.Tests.Support;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Dokkaa.WebConsole.Tests.Browser;

/// <summary>
/// The console page in headless Chromium against a real etcd: hosts and apps appear and follow the watch
/// without a reload; scaling, editing (with inline validation errors) and removing (after a confirmation)
/// work from the page and land in etcd. Agents are stood in for by writing their records into etcd.
/// </summary>
public sealed class ConsolePageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Web = """{"image":"dockerfile/nginx","scale":2,"services":{"web":80}}""";

    private ClusterWriter Cluster => fixture.Console.Cluster;

    [ChromiumFact]
    public async Task ShowsHostsAppsAndInstancesAndFollowsTheWatchWithoutReload()
    {
        var app = ClusterWriter.NewName('s');
        var host = ClusterWriter.NewName('h');
        var lease = await Cluster.PutHostAsync(host, "10.20.0.1", ttlSeconds: 30);
        await Cluster.PutManifestAsync(app, "web", Web);
        await Cluster.PutClaimAsync(app, "web", 1, host, "10.20.0.1", Web, ports: new Dictionary<string, int> { ["80/tcp"] = 32768 }, lease: lease);
        await Cluster.PutClaimAsync(app, "web", 2, host, "10.20.0.1", Web, ports: new Dictionary<string, int> { ["80/tcp"] = 32769 }, lease: lease);

        var page = await fixture.OpenAsync();
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await RunAsync(page, "overview", async () =>
        {
            var hostRow = page.Locator($"tr.host[data-host='{host}']");
            await Expect(hostRow.Locator(".address")).ToHaveTextAsync("10.20.0.1");
            await Expect(hostRow.Locator(".container-count")).ToHaveTextAsync("2 containers");
            await Expect(hostRow.Locator(".containers li")).ToHaveTextAsync(new[] { $"{app}---web", $"{app}---web---2" });
            // The heartbeat age comes from the host's lease (a heartbeat event), not from the registration time.
            await Expect(hostRow.Locator(".heartbeat")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bok\b"));
            await Expect(hostRow.Locator(".heartbeat")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+s ago · lease 30s$"));

            var appRow = AppRow(page, app, "web");
            await Expect(appRow.Locator(".image")).ToHaveTextAsync("dockerfile/nginx");
            await Expect(appRow.Locator(".running")).ToHaveTextAsync("2");
            await Expect(appRow.Locator(".desired-count")).ToHaveTextAsync("2");
            await Expect(appRow.Locator(".instance")).ToHaveCountAsync(2);
            await Expect(appRow.Locator(".instance[data-instance='1']")).ToContainTextAsync($"#1 running on {host}");
            await Expect(appRow.Locator(".instance[data-instance='1'] .ports")).ToHaveTextAsync("10.20.0.1:32768→80/tcp");
            await BrowserFixture.ScreenshotAsync(page, "overview");

            // Changes made by others arrive through the event stream.
            var other = ClusterWriter.NewName('o');
            await Cluster.PutManifestAsync(other, "db", """{"image":"postgres","scale":1}""");
            await Expect(AppRow(page, other, "db").Locator(".desired-count")).ToHaveTextAsync("1");
            await Expect(AppRow(page, other, "db").Locator(".running")).ToHaveTextAsync("0");

            var second = ClusterWriter.NewName('h');
            await Cluster.PutHostAsync(second, "10.20.0.2");
            await Expect(page.Locator($"tr.host[data-host='{second}'] .address")).ToHaveTextAsync("10.20.0.2");
            await fixture.Console.Etcd.LeaseRevokeAsync(lease); // the first host dies: its key and claims go with its lease
            await Expect(hostRow).ToHaveCountAsync(0);
            await Expect(appRow.Locator(".running")).ToHaveTextAsync("0");
            await Expect(appRow.Locator(".instance")).ToHaveCountAsync(0);

            Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");
        });
    }

    [ChromiumFact]
    public async Task ScaleFromThePageAndSeeRunningFollowTheClaims()
    {
        var app = ClusterWriter.NewName('s');
        var host = ClusterWriter.NewName('h');
        await Cluster.PutHostAsync(host, "10.20.1.1");
        await Cluster.PutManifestAsync(app, "web", Web);
        await Cluster.PutClaimAsync(app, "web", 1, host, "10.20.1.1", Web);
        await Cluster.PutClaimAsync(app, "web", 2, host, "10.20.1.1", Web);

        var page = await fixture.OpenAsync();
        await RunAsync(page, "scale", async () =>
        {
            var row = AppRow(page, app, "web");
            await Expect(row.Locator(".running")).ToHaveTextAsync("2");

            await row.Locator("button.scale-up").ClickAsync();

            await Expect(row.Locator(".desired")).ToHaveTextAsync("3");
            await Expect(row.Locator(".desired-count")).ToHaveTextAsync("3");
            await Expect(row.Locator(".pending")).ToHaveTextAsync("1 pending");
            Assert.Equal(3, await StoredScaleAsync(app, "web"));
            await Expect(row.Locator(".running")).ToHaveTextAsync("2");
            await BrowserFixture.ScreenshotAsync(page, "scaled-up-pending");

            // An agent claims and starts instance 3 (of the manifest now in etcd): running follows.
            var stored = (await Cluster.GetManifestAsync(app, "web"))!.Value;
            await Cluster.PutClaimAsync(app, "web", 3, host, "10.20.1.1", stored, InstanceState.Starting);
            await Expect(row.Locator(".instance[data-instance='3']")).ToContainTextAsync("#3 starting");
            await Expect(row.Locator(".running")).ToHaveTextAsync("2");
            await Cluster.PutClaimAsync(app, "web", 3, host, "10.20.1.1", stored);
            await Expect(row.Locator(".running")).ToHaveTextAsync("3");
            await Expect(row.Locator(".counts")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bconverged\b"));
            await BrowserFixture.ScreenshotAsync(page, "scaled-up-running");

            await row.Locator("button.scale-down").ClickAsync();
            await Expect(row.Locator(".desired")).ToHaveTextAsync("2");
            Assert.Equal(2, await StoredScaleAsync(app, "web"));
        });
    }

    [ChromiumFact]
    public async Task BrokenManifestShowsItsErrorsInlineAndWritesNothing()
    {
        var app = ClusterWriter.NewName('s');
        await Cluster.PutManifestAsync(app, "web", Web);
        var page = await fixture.OpenAsync();
        await RunAsync(page, "edit", async () =>
        {
            var row = AppRow(page, app, "web");
            await row.Locator("button.edit").ClickAsync();
            var editor = page.Locator("#editor");
            await Expect(editor).ToBeVisibleAsync();
            Assert.Equal(2, ManifestParser.Parse(await page.Locator("#editor-text").InputValueAsync()).Scale);
            var before = await Cluster.RevisionAsync();

            await page.Locator("#editor-text").FillAsync("""{"image": "dockerfile/nginx", "scale": 2, "services": {"web": 70000}}""");
            await page.Locator("#editor-save").ClickAsync();

            var error = page.Locator("#editor-errors li[data-path='$.services.web']");
            await Expect(error).ToBeVisibleAsync();
            await Expect(error).ToContainTextAsync("port 70000 is out of range 1-65535");
            await Expect(page.Locator("#editor-text")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(editor).ToBeVisibleAsync();
            await BrowserFixture.ScreenshotAsync(page, "edit-invalid");
            Assert.Equal(before, await Cluster.RevisionAsync());

            // Not JSON at all: the error names the document root.
            await page.Locator("#editor-text").FillAsync("""{"image": "dockerfile/nginx", """);
            await page.Locator("#editor-save").ClickAsync();
            await Expect(page.Locator("#editor-errors li[data-path='$']")).ToContainTextAsync("not valid JSON");
            Assert.Equal(before, await Cluster.RevisionAsync());

            // Fixed: saved, the dialog closes, the table shows the new image.
            await page.Locator("#editor-text").FillAsync("""{"image": "dockerfile/nginx:1.2", "scale": 2, "services": {"web": 8080}}""");
            await page.Locator("#editor-save").ClickAsync();
            await Expect(editor).ToBeHiddenAsync();
            await Expect(row.Locator(".image")).ToHaveTextAsync("dockerfile/nginx:1.2");
            var stored = ManifestParser.Parse((await Cluster.GetManifestAsync(app, "web"))!.Value);
            Assert.Equal(8080, stored.Services["web"].Port);
        });
    }

    [ChromiumFact]
    public async Task NewManifestFromThePage()
    {
        var app = ClusterWriter.NewName('n');
        var page = await fixture.OpenAsync();
        await RunAsync(page, "new", async () =>
        {
            await page.Locator("#new-manifest").ClickAsync();
            await page.Locator("#editor-app").FillAsync("Bad App");
            await page.Locator("#editor-name").FillAsync("api");
            await page.Locator("#editor-text").FillAsync("""{"image": "dockerfile/ubuntu", "scale": 1}""");
            await page.Locator("#editor-save").ClickAsync();
            await Expect(page.Locator("#editor-errors li[data-path='app']")).ToBeVisibleAsync();

            await page.Locator("#editor-app").FillAsync(app);
            await page.Locator("#editor-save").ClickAsync();
            await Expect(page.Locator("#editor")).ToBeHiddenAsync();
            await Expect(AppRow(page, app, "api").Locator(".desired-count")).ToHaveTextAsync("1");
            Assert.NotNull(await Cluster.GetManifestAsync(app, "api"));
        });
    }

    [ChromiumFact]
    public async Task RemoveAsksForConfirmationFirst()
    {
        var app = ClusterWriter.NewName('s');
        await Cluster.PutManifestAsync(app, "web", Web);
        var page = await fixture.OpenAsync();
        await RunAsync(page, "remove", async () =>
        {
            var row = AppRow(page, app, "web");
            await row.Locator("button.remove").ClickAsync();
            var dialog = page.Locator("#confirm-remove");
            await Expect(dialog).ToBeVisibleAsync();
            await Expect(dialog.Locator("#remove-title")).ToHaveTextAsync($"Remove {app}/web?");
            await BrowserFixture.ScreenshotAsync(page, "remove-confirm");

            await dialog.Locator("#remove-cancel").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            Assert.NotNull(await Cluster.GetManifestAsync(app, "web"));
            await Expect(row).ToHaveCountAsync(1);

            await row.Locator("button.remove").ClickAsync();
            await dialog.Locator("#remove-confirm").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            await Expect(row).ToHaveCountAsync(0);
            Assert.Null(await Cluster.GetManifestAsync(app, "web"));
        });
    }

    [ChromiumFact]
    public async Task WithoutATokenThePageAsksForOneAndChangesNothingUntilItIsRight()
    {
        var app = ClusterWriter.NewName('s');
        await Cluster.PutManifestAsync(app, "web", Web);
        var page = await fixture.OpenAsync(token: null);
        await RunAsync(page, "token", async () =>
        {
            var row = AppRow(page, app, "web");
            await Expect(row.Locator(".desired")).ToHaveTextAsync("2");
            var before = await Cluster.RevisionAsync();

            await row.Locator("button.scale-up").ClickAsync();
            var dialog = page.Locator("#token-dialog");
            await Expect(dialog).ToBeVisibleAsync();
            Assert.Equal(before, await Cluster.RevisionAsync());

            await page.Locator("#token-input").FillAsync("wrong-token");
            await page.Locator("#token-save").ClickAsync();
            await Expect(page.Locator("#token-text")).ToContainTextAsync("refused");
            await Expect(dialog).ToBeVisibleAsync();
            Assert.Equal(before, await Cluster.RevisionAsync());

            await page.Locator("#token-input").FillAsync(ConsoleFixture.Token);
            await page.Locator("#token-save").ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
            await Expect(row.Locator(".desired")).ToHaveTextAsync("3");
            Assert.Equal(3, await StoredScaleAsync(app, "web"));
        });
    }

    private static ILocator AppRow(IPage page, string app, string name) => page.Locator($"tr.app[data-app='{app}'][data-name='{name}']");

    private async Task<int> StoredScaleAsync(string app, string name) =>
        ManifestParser.Parse((await Cluster.GetManifestAsync(app, name))!.Value).Scale;

    /// <summary>Runs the test's steps; on failure saves a screenshot of what the page showed, then fails.</summary>
    private static async Task RunAsync(IPage page, string name, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(page, $"failed-{name}");
            throw;
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
