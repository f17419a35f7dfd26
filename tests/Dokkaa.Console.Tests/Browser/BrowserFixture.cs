using Dokkaa.WebConsole.Tests.Support;
using Microsoft.Playwright;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Browser;

/// <summary>A real etcd, a console server and one headless Chromium for a class of browser tests.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public ConsoleFixture Console { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: under the test output directory (bin/.../screenshots).</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        await Console.InitializeAsync();
        if (!Chromium.Installed)
            return; // Every test in the class is skipped (ChromiumFact) and says why.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(Chromium.LaunchOptions);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.CloseAsync();
        _playwright?.Dispose();
        await Console.DisposeAsync();
    }

    /// <summary>A new browser context (fresh session storage) on the console page, with the token in the URL fragment unless null.</summary>
    public async Task<IPage> OpenAsync(string? token = ConsoleFixture.Token)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(Console.Server.Url + (token is null ? "" : $"#token={token}"));
        // The stream is open once the connection badge says so.
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        Assert.Empty(errors);
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
}
