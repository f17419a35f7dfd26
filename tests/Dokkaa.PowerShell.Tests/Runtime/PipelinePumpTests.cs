using System.Diagnostics;
using Xunit;

namespace Dokkaa.PowerShell.Tests.Runtime;

/// <summary>
/// The rule PowerShell imposes on cmdlets: Write* only on the pipeline thread. The pump must run every
/// posted callback on the thread that called Run, deliver them in order, return the work's result or
/// exception, and give up promptly when stopped (Ctrl+C).
/// </summary>
public sealed class PipelinePumpTests
{
    [Fact]
    public void Callbacks_posted_from_other_threads_run_on_the_calling_thread_in_order()
    {
        var pipelineThread = Environment.CurrentManagedThreadId;
        var seen = new List<(int Value, int Thread)>();
        var workThreads = new HashSet<int>();

        var result = PipelinePump.Run(async (post, ct) =>
        {
            for (var i = 0; i < 20; i++)
            {
                await Task.Delay(1, ct).ConfigureAwait(false);
                lock (workThreads)
                    workThreads.Add(Environment.CurrentManagedThreadId);
                var value = i;
                post.Post(() => seen.Add((value, Environment.CurrentManagedThreadId)));
            }

            return "done";
        }, CancellationToken.None);

        Assert.Equal("done", result);
        Assert.Equal(Enumerable.Range(0, 20), seen.Select(s => s.Value));
        Assert.All(seen, s => Assert.Equal(pipelineThread, s.Thread));
        Assert.DoesNotContain(pipelineThread, workThreads);
    }

    [Fact]
    public void Progress_reports_reach_the_handler_on_the_calling_thread_before_Run_returns()
    {
        var pipelineThread = Environment.CurrentManagedThreadId;
        var reports = new List<int>();
        PipelinePump.Run(async (post, ct) =>
        {
            IProgress<int> progress = new PipelineProgress<int>(post, p =>
            {
                Assert.Equal(pipelineThread, Environment.CurrentManagedThreadId);
                reports.Add(p);
            });
            for (var i = 1; i <= 3; i++)
            {
                progress.Report(i);
                await Task.Yield();
            }
        }, CancellationToken.None);
        Assert.Equal([1, 2, 3], reports);
    }

    [Fact]
    public void The_work_exception_comes_out_of_Run_unwrapped()
    {
        var e = Assert.Throws<InvalidOperationException>(() => PipelinePump.Run<int>(async (_, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom");
        }, CancellationToken.None));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public async Task Stopping_ends_a_long_wait_promptly()
    {
        using var stop = new CancellationTokenSource();
        var started = new ManualResetEventSlim();
        var stopper = Task.Run(() =>
        {
            started.Wait();
            stop.Cancel();
        });
        var clock = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => PipelinePump.Run(async (post, ct) =>
        {
            post.Post(started.Set);
            await Task.Delay(TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);
            return 0;
        }, stop.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        await stopper;
    }

    [Fact]
    public void Work_that_posts_nothing_and_finishes_at_once_returns()
    {
        Assert.Equal(7, PipelinePump.Run((_, _) => Task.FromResult(7), CancellationToken.None));
    }

    [Fact]
    public void A_report_after_the_work_finished_is_dropped_not_thrown()
    {
        IPipelinePost? saved = null;
        PipelinePump.Run((post, _) =>
        {
            saved = post;
            return Task.FromResult(0);
        }, CancellationToken.None);
        saved!.Post(() => throw new InvalidOperationException("must not run"));
    }

    [Fact]
    public async Task A_callback_that_throws_ends_Run_and_later_reports_are_dropped()
    {
        var reporting = new TaskCompletionSource();
        var stillReporting = Task.CompletedTask;
        var e = Assert.Throws<InvalidOperationException>(() => PipelinePump.Run(async (post, ct) =>
        {
            post.Post(() => throw new InvalidOperationException("pipeline stopped"));
            stillReporting = Task.Run(async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    post.Post(() => { });
                    await Task.Delay(2);
                }

                reporting.SetResult();
            });
            await reporting.Task.ConfigureAwait(false);
            return 0;
        }, CancellationToken.None));
        Assert.Equal("pipeline stopped", e.Message);
        await reporting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stillReporting;
    }
}
