namespace Dokkaa.Core.Threading;

/// <summary>
/// A coalescing wake-up: any number of <see cref="Set"/> calls between two waits wake the waiter once.
/// Loops that re-read the whole state when woken (reconcilers, config writers) need exactly this and
/// nothing more.
/// </summary>
public sealed class AsyncSignal
{
    private TaskCompletionSource _pending = NewSource();

    public void Set() => Volatile.Read(ref _pending).TrySetResult();

    /// <summary>Waits until set (or the timeout passes), then resets. Returns true if it was set.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _pending);
        var set = current.Task.IsCompleted;
        if (!set)
        {
            try
            {
                await current.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                set = true;
            }
            catch (TimeoutException)
            {
                set = false;
            }
        }

        if (current.Task.IsCompleted)
            Interlocked.CompareExchange(ref _pending, NewSource(), current);
        return set;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
