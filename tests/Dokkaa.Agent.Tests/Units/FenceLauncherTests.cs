using Dokkaa.Agent.Fencing;
using Dokkaa.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

/// <summary>A fence process that does not start is a problem the launcher reports (the host record carries it to the status).</summary>
public sealed class FenceLauncherTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("dokkaa-fence-launcher-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task A_fence_that_never_takes_its_lock_is_reported_as_the_problem()
    {
        // A command that cannot run: the shell that would exec it exits, and no fence ever takes the lock.
        var launcher = new FenceLauncher(Array.Empty<string>(), NullLogger.Instance, new[] { Path.Combine(_dataDir, "no-such-fence") }, TimeSpan.FromMilliseconds(300));
        var changes = 0;
        launcher.ProblemChanged += () => Interlocked.Increment(ref changes);
        var files = new FenceFiles(_dataDir);

        Assert.Null(launcher.Problem);
        launcher.EnsureRunning(files);
        var problem = await Poll.UntilAsync(() => Task.FromResult(launcher.Problem), p => p is not null, "the launcher to report its problem");

        Assert.StartsWith("the fence process did not start within 0.3 s (see ", problem, StringComparison.Ordinal);
        Assert.Equal(1, Volatile.Read(ref changes));
    }
}
