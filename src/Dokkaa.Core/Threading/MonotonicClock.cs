namespace Dokkaa.Core.Threading;

/// <summary>
/// Nanoseconds of the machine's monotonic clock. On Linux <see cref="TimeProvider.System"/>'s timestamps are
/// CLOCK_MONOTONIC, which every process of one boot shares and which no wall clock step moves: the agent records a
/// renewal on it and the fence process reads its own. (It does not count time the machine is suspended.)
/// </summary>
public static class MonotonicClock
{
    public static long Nanoseconds(TimeProvider clock) => ToNanoseconds(clock.GetTimestamp(), clock.TimestampFrequency);

    public static long ToNanoseconds(long timestamp, long frequency) => (long)((Int128)timestamp * 1_000_000_000 / frequency);

    /// <summary>The kernel's boot id (empty where there is none): it tells monotonic times of this boot from another's.</summary>
    public static string BootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
