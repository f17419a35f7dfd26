using System.Diagnostics;
using Dokkaa.Cli.Tests.Support;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests;

/// <summary>Where the CLI finds etcd (--etcd, $DOKKAA_ETCD), and what it says when etcd is not there.</summary>
public sealed class ConnectionTests(EtcdFixture etcd) : CliTestBase(etcd)
{
    private const string Unreachable = "http://127.0.0.1:1";

    private const string Web = """{"image":"dockerfile/nginx"}""";

    [Theory]
    [InlineData("get")]
    [InlineData("ps")]
    [InlineData("hosts")]
    [InlineData("status")]
    [InlineData("resolve", "web")]
    [InlineData("rm", "--app", "a", "--name", "b")]
    [InlineData("scale", "--app", "a", "--name", "b", "2")]
    [InlineData("wait", "--app", "a", "--name", "b", "--timeout", "1m")]
    public async Task UnreachableEtcdIsAQuickClearError(params string[] args)
    {
        var clock = Stopwatch.StartNew();

        var result = await DokkaaRaw(args.Concat(new[] { "--etcd", Unreachable }));

        clock.Stop();
        var error = AssertFails(result);
        Assert.Contains("etcd", error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("etcd: etcd", error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ApplyToUnreachableEtcdIsAClearError()
    {
        var file = WriteFile("web.json", Web);

        var error = AssertFails(await DokkaaRaw(new[] { "apply", "-f", file, "--app", "a", "--etcd", Unreachable }));

        Assert.Contains("etcd", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DokkaaEtcdEnvironmentVariableIsHonoured()
    {
        var app = NewName();
        var file = WriteFile("web.json", Web);
        var env = new Dictionary<string, string> { ["DOKKAA_ETCD"] = Etcd.Endpoint };

        AssertOk(await DokkaaRaw(new[] { "apply", "-f", file, "--app", app }, env));
        var result = await DokkaaRaw(new[] { "get", "--app", app, "-o", "json" }, env);

        AssertOk(result);
        Assert.Equal(app, Assert.Single(ParseJson(result.StdOut).EnumerateArray()).GetProperty("app").GetString());
        Assert.NotNull(await Etcd.GetAsync($"/apps/{app}/web/manifest"));
    }

    [Fact]
    public async Task DokkaaEtcdPointingNowhereFails()
    {
        var env = new Dictionary<string, string> { ["DOKKAA_ETCD"] = Unreachable };

        var error = AssertFails(await DokkaaRaw(new[] { "get" }, env));

        Assert.Contains("127.0.0.1:1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EtcdOptionWinsOverTheEnvironmentVariable()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);
        var env = new Dictionary<string, string> { ["DOKKAA_ETCD"] = Unreachable };

        var result = await DokkaaRaw(new[] { "get", "--app", app, "--etcd", Etcd.Endpoint }, env);

        AssertOk(result);
        Assert.Single(TextTable.Parse(result.StdOut));
    }

    [Fact]
    public async Task SeveralEndpointsFailOverToTheOneThatAnswers()
    {
        var app = NewName();
        await ApplyAsync(app, "web", Web);

        var result = await DokkaaRaw(new[] { "get", "--app", app, "--etcd", $"{Unreachable},{Etcd.Endpoint}" });

        AssertOk(result);
        Assert.Single(TextTable.Parse(result.StdOut));
    }

    [Theory]
    [InlineData("nonsense://x")]
    [InlineData("")]
    public async Task BadEtcdUrlIsAClearError(string endpoints)
    {
        var error = AssertFails(await DokkaaRaw(new[] { "get", "--etcd", endpoints }));

        Assert.Contains("etcd", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOutputFormatIsRefused()
    {
        var result = await Dokkaa("get", "-o", "yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("yaml", result.StdErr, StringComparison.Ordinal);
    }
}
