using System.Collections.Concurrent;

namespace Dokkaa.PowerShell;

/// <summary>
/// Runs asynchronous work from a cmdlet while keeping every call into PowerShell on the pipeline thread.
/// <para>
/// PowerShell allows <c>WriteObject</c>, <c>WriteProgress</c>, <c>WriteVerbose</c> and friends only on the
/// thread that called <c>ProcessRecord</c>. <see cref="Run{T}"/> blocks that thread until the work is done
/// and meanwhile runs, on it, whatever the work <see cref="IPipelinePost.Post">posted</see> from any
/// thread (progress reports, verbose lines). Cancelling the token (the cmdlet's StopProcessing, i.e.
/// Ctrl+C) cancels the work, and Run returns as soon as the work has observed it.
/// </para>
/// </summary>
public static class PipelinePump
{
    public static T Run<T>(Func<IPipelinePost, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var queue = new BlockingCollection<Action>();
        var post = new Poster(queue);
        try
        {
            // Task.Run: the work must not start inline on the pipeline thread and block it before the pump runs.
            var task = Task.Run(() => work(post, cancellationToken), cancellationToken);
            _ = task.ContinueWith(_ => post.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            foreach (var action in queue.GetConsumingEnumerable())
                action();
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            // A callback that threw (WriteProgress while the pipeline stops) ends the pump early: whatever
            // the work still reports from now on is dropped, never added to a disposed queue.
            post.Complete();
            queue.Dispose();
        }
    }

    public static void Run(Func<IPipelinePost, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        Run(async (post, ct) =>
        {
            await work(post, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private sealed class Poster : IPipelinePost
    {
        private readonly BlockingCollection<Action> _queue;
        private readonly object _gate = new();
        private bool _completed;

        public Poster(BlockingCollection<Action> queue) => _queue = queue;

        public void Post(Action action)
        {
            ArgumentNullException.ThrowIfNull(action);
            lock (_gate)
            {
                // After the work has finished nobody is pumping any more: a late report is dropped.
                if (!_completed)
                    _queue.Add(action);
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                if (_completed)
                    return;
                _completed = true;
                _queue.CompleteAdding();
            }
        }
    }
}

/// <summary>Hands a callback to the pipeline thread (see <see cref="PipelinePump"/>).</summary>
public interface IPipelinePost
{
    void Post(Action action);
}

/// <summary>An <see cref="IProgress{T}"/> whose handler runs on the pipeline thread.</summary>
public sealed class PipelineProgress<T> : IProgress<T>
{
    private readonly IPipelinePost _post;
    private readonly Action<T> _handler;

    public PipelineProgress(IPipelinePost post, Action<T> handler)
    {
        _post = post;
        _handler = handler;
    }

    public void Report(T value) => _post.Post(() => _handler(value));
}
