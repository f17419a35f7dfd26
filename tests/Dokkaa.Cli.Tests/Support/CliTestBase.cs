using System.Text.Json;
using Dokkaa.Core.Cluster;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Cli.Tests.Support;

/// <summary>
/// Runs the built <c>dokkaa</c> executable against the class's etcd. Every test makes its own app names, so
/// tests never see each other's manifests; files a test writes go to its own temporary directory.
/// </summary>
public abstract class CliTestBase : IClassFixture<EtcdFixture>, IDisposable
{
    /// <summary>No single CLI call may take longer than this (the CLI must never hang).</summary>
    protected static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(30);

    private readonly Lazy<string> _tempDir = new(() => Directory.CreateTempSubdirectory("dokkaa-cli-test-").FullName);

    protected CliTestBase(EtcdFixture etcd)
    {
        Assert.True(File.Exists(RepoPaths.Cli), $"the dokkaa executable is not built at {RepoPaths.Cli}");
        Etcd = etcd;
    }

    protected EtcdFixture Etcd { get; }

    protected string TempDir => _tempDir.Value;

    /// <summary>A fresh, valid app or manifest name: a letter and 8 hex digits.</summary>
    protected static string NewName(char first = 't') => first + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Runs <c>dokkaa ARGS --etcd ENDPOINT</c>.</summary>
    protected Task<ProcessRunner.Result> Dokkaa(params string[] args) => Run(args, stdin: null);

    /// <summary>Runs <c>dokkaa ARGS --etcd ENDPOINT</c> with <paramref name="stdin"/> on standard input.</summary>
    protected Task<ProcessRunner.Result> DokkaaWithInput(string stdin, params string[] args) => Run(args, stdin);

    protected static Task<ProcessRunner.Result> DokkaaRaw(IEnumerable<string> args, IDictionary<string, string>? env = null) =>
        ProcessRunner.RunAsync(RepoPaths.Cli, args, stdin: null, timeout: CallLimit, env: env);

    protected string WriteFile(string fileName, string content)
    {
        var path = Path.Combine(TempDir, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Applies a manifest through the CLI and checks that it worked; returns the stored key's mod revision.</summary>
    protected async Task<long> ApplyAsync(string app, string name, string json)
    {
        var result = await DokkaaWithInput(json, "apply", "-f", "-", "--app", app, "--name", name);
        AssertOk(result);
        var stored = await Etcd.GetAsync(KeyLayout.Manifest(app, name));
        Assert.NotNull(stored);
        return stored.ModRevision;
    }

    protected static void AssertOk(ProcessRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, $"expected exit code 0, got {result.ExitCode}\nstdout: {result.StdOut}\nstderr: {result.StdErr}");
    }

    /// <summary>
    /// Exit code 1 and one clear error on stderr: prefixed "dokkaa: ", no stack trace, nothing on stdout that
    /// could pass for success. Returns stderr for the test to check what it names.
    /// </summary>
    protected static string AssertFails(ProcessRunner.Result result)
    {
        Assert.True(result.ExitCode == 1, $"expected exit code 1, got {result.ExitCode}\nstdout: {result.StdOut}\nstderr: {result.StdErr}");
        Assert.StartsWith("dokkaa: ", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.Equal("", result.StdOut);
        return result.StdErr;
    }

    protected static JsonElement ParseJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public void Dispose()
    {
        if (_tempDir.IsValueCreated)
            Directory.Delete(_tempDir.Value, recursive: true);
        GC.SuppressFinalize(this);
    }

    private Task<ProcessRunner.Result> Run(IEnumerable<string> args, string? stdin) =>
        ProcessRunner.RunAsync(RepoPaths.Cli, args.Concat(new[] { "--etcd", Etcd.Endpoint }), stdin, CallLimit);
}
