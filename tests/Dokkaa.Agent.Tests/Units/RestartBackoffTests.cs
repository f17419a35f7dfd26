using Dokkaa.Agent.Reconciliation;
using Dokkaa.Core.Cluster;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

public sealed class RestartBackoffTests
{
    private static readonly InstanceId Web = new("dummy", "web", 1);
    private static readonly InstanceId Db = new("dummy", "db", 1);
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly RestartBackoff _backoff = new();

    [Fact]
    public void Unknown_instance_may_start_at_once()
    {
        Assert.True(_backoff.MayAttempt(Web, T0));
        Assert.Null(_backoff.Get(Web));
        Assert.Null(_backoff.NextAttempt(T0));
    }

    [Fact]
    public void First_failure_waits_one_second()
    {
        var entry = _backoff.Fail(Web, "exited with 1", T0);

        Assert.Equal(new RestartBackoff.Entry(1, T0 + TimeSpan.FromSeconds(1), "exited with 1") { RecordedAt = T0 }, entry);
        Assert.False(_backoff.MayAttempt(Web, T0 + TimeSpan.FromMilliseconds(999)));
        Assert.True(_backoff.MayAttempt(Web, T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Delay_doubles_up_to_a_minute()
    {
        var now = T0;
        var delays = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var entry = _backoff.Fail(Web, $"failure {i + 1}", now);
            delays.Add((entry.NextAttempt - now).TotalSeconds);
            now = entry.NextAttempt;
        }

        Assert.Equal(new double[] { 1, 2, 4, 8, 16, 32, 60, 60, 60, 60 }, delays);
        Assert.Equal(10, _backoff.Get(Web)!.Failures);
        Assert.Equal("failure 10", _backoff.Get(Web)!.Error);
    }

    [Fact]
    public void Many_failures_stay_capped()
    {
        RestartBackoff.Entry entry = null!;
        for (var i = 0; i < 1000; i++)
            entry = _backoff.Fail(Web, "x", T0);

        Assert.Equal(RestartBackoff.Max, entry.NextAttempt - T0);
    }

    [Fact]
    public void Forgive_starts_over()
    {
        _backoff.Fail(Web, "x", T0);
        _backoff.Fail(Web, "x", T0);

        _backoff.Forgive(Web);

        Assert.Null(_backoff.Get(Web));
        Assert.True(_backoff.MayAttempt(Web, T0));
        Assert.Equal(RestartBackoff.First, _backoff.Fail(Web, "x", T0).NextAttempt - T0);
    }

    [Fact]
    public void Instances_back_off_independently()
    {
        _backoff.Fail(Web, "x", T0);
        _backoff.Fail(Web, "x", T0);

        Assert.True(_backoff.MayAttempt(Db, T0));
        Assert.Equal(1, _backoff.Fail(Db, "y", T0).Failures);
    }

    [Fact]
    public void NextAttempt_is_the_earliest_pending_retry()
    {
        _backoff.Fail(Web, "x", T0);                          // T0 + 1s
        _backoff.Fail(Db, "y", T0 - TimeSpan.FromSeconds(5)); // T0 - 4s: due already

        Assert.Equal(T0 + TimeSpan.FromSeconds(1), _backoff.NextAttempt(T0));
        Assert.Null(_backoff.NextAttempt(T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Only_a_long_run_that_started_after_the_last_failure_is_forgiven()
    {
        var backoff = new RestartBackoff();
        backoff.Fail(Web, "exited", T0);

        // The run that ended in that failure was long, but it started before it: no reset, so a container
        // Docker cannot start again does not get retried every second forever.
        backoff.ForgiveIfStable(Web, T0 - TimeSpan.FromSeconds(60), T0);
        Assert.NotNull(backoff.Get(Web));

        // A later run that lasted: a fresh start.
        backoff.ForgiveIfStable(Web, T0 + TimeSpan.FromSeconds(1), T0 + TimeSpan.FromSeconds(30));
        Assert.Null(backoff.Get(Web));
    }
}
