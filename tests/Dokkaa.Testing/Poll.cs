using System.Diagnostics;

namespace Dokkaa.Testing;

/// <summary>
/// Waiting for a distributed system to converge: ask again and again until the answer is right or the
/// deadline passes, then fail with what was last seen. Never a fixed sleep.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var stopwatch = Stopwatch.StartNew();
        T last;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                last = await probe().ConfigureAwait(false);
                if (done(last))
                    return last;
                lastError = null;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException and not PollGiveUpException)
            {
                last = default!;
                lastError = e;
            }

            if (stopwatch.Elapsed > limit)
            {
                var seen = lastError is not null ? $"last error: {lastError.Message}" : $"last seen: {Describe(last)}";
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#}s waiting for {what}; {seen}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        UntilAsync(condition, ok => ok, what, timeout, interval);

    /// <summary>For a condition that is cheap to read, <paramref name="interval"/> may be as short as a millisecond: a test that steps a fake clock waits this way for every step.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), ok => ok, what, timeout, interval);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };
}
