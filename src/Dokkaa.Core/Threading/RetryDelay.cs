namespace Dokkaa.Core.Threading;

/// <summary>One retry rule for the agent: <c>first</c>, doubling with each failure, never more than <c>max</c>.</summary>
public static class RetryDelay
{
    /// <param name="failures">Failures before this wait (0: wait <paramref name="first"/>).</param>
    public static TimeSpan After(TimeSpan first, TimeSpan max, int failures) =>
        TimeSpan.FromTicks(Math.Min(max.Ticks, first.Ticks << Math.Clamp(failures, 0, 20)));
}
