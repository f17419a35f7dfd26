using System.Diagnostics;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>Waiting for a condition with a deadline, instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > limit)
                throw new TimeoutException($"Still not true after {limit.TotalSeconds:0.#} s: {what}");
            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
