namespace Dokkaa.Agent.Ambassador;

/// <summary>
/// Lets one message per key through per interval and counts the ones held back, so that a client retrying a
/// link without live instances in a tight loop costs one log line per interval, not one per connection.
/// </summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider clock)
{
    private readonly Dictionary<string, (DateTimeOffset Since, int Held)> _windows = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>
    /// True when a message for <paramref name="key"/> may be written now; <paramref name="held"/> is then the
    /// number held back since the last one written (to say so in the message).
    /// </summary>
    public bool TryPass(string key, out int held)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_windows.TryGetValue(key, out var window) && now - window.Since < interval)
            {
                _windows[key] = window with { Held = window.Held + 1 };
                held = 0;
                return false;
            }

            held = window.Held;
            _windows[key] = (now, 0);
            return true;
        }
    }

    /// <summary>Forgets a key that will not come back (a released link), so the table does not grow for ever.</summary>
    public void Forget(string key)
    {
        lock (_gate)
            _windows.Remove(key);
    }
}
