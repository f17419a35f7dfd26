using Dokkaa.Core.Etcd;
using Dokkaa.Testing;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>Runs a watch in the background and keeps what it delivered (or how it failed), so a test can wait for it.</summary>
public sealed class WatchRecorder : IAsyncDisposable
{
    // Events arrive within milliseconds; a short interval keeps the many waits of the contract suite from adding up.
    private static readonly TimeSpan WatchPollInterval = TimeSpan.FromMilliseconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<WatchEvent> _events = [];
    private readonly Task _pump;
    private volatile Exception? _error;

    public WatchRecorder(IEtcdClient client, string key, bool prefix, long startRevision)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in client.WatchAsync(key, prefix, startRevision, _stop.Token))
                {
                    lock (_events)
                        _events.Add(change);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _error = e;
            }
        });
    }

    public Exception? Error => _error;

    public IReadOnlyList<WatchEvent> Events
    {
        get
        {
            lock (_events)
                return _events.ToArray();
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> events arrived; fails early if the watch failed.</summary>
    public async Task<IReadOnlyList<WatchEvent>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        await Poll.UntilAsync(
            () => Error is not null || Events.Count >= count,
            $"{count} watch events (have {Events.Count})",
            timeout,
            WatchPollInterval);
        if (Error is not null)
            throw new InvalidOperationException("The watch failed.", Error);
        return Events;
    }

    /// <summary>Waits until the watch ends with an error and returns it.</summary>
    public async Task<Exception> WaitForErrorAsync(TimeSpan? timeout = null)
    {
        await Poll.UntilAsync(() => Error is not null, "the watch to fail", timeout, WatchPollInterval);
        return Error!;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
