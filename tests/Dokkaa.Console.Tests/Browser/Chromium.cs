using Microsoft.Playwright;
using Xunit;

namespace Dokkaa.WebConsole.Tests.Browser;

/// <summary>Debian's Chromium, which Playwright drives here (it cannot download a browser of its own).</summary>
public static class Chromium
{
    /// <summary>Debian's path; <c>DOKKAA_CHROMIUM</c> overrides it (pointing it nowhere shows how a missing browser is reported).</summary>
    public static string Path { get; } = Environment.GetEnvironmentVariable("DOKKAA_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Installed => File.Exists(Path);

    public static readonly string[] Args =
    {
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    };

    public static BrowserTypeLaunchOptions LaunchOptions => new() { ExecutablePath = Path, Headless = true, Args = Args };
}

/// <summary>
/// A browser test: skipped, and reported as skipped with the reason, where Chromium is not installed
/// (scripts/setup.sh installs it; a silent pass would hide that the page was never tested).
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!Chromium.Installed)
            Skip = $"SKIPPED: browser test not run, Chromium is not installed at {Chromium.Path} (apt-get install chromium, or scripts/setup.sh)";
    }
}
