using System.Diagnostics;

namespace Dokkaa.Dev;

/// <summary>Polling with a deadline: the dev cluster waits for daemons to answer, never for a fixed time.</summary>
public static class Deadline
{
    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        UntilAsync(condition, () => what, timeout, cancellationToken);

    /// <summary><paramref name="what"/> is asked at the deadline, so that it can say what was still missing.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (stopwatch.Elapsed > timeout)
                throw new DevException($"timed out after {timeout.TotalSeconds:0}s waiting for {what()}");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
