namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Waits for a condition with a deadline: containers start asynchronously, and a fixed sleep would be either slow or flaky.</summary>
internal static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan deadline, string what)
        where T : class
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (true)
        {
            if (await probe() is { } value)
                return value;
            try
            {
                // The interval only paces the probes; the deadline decides.
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out after {deadline.TotalSeconds:0.#}s waiting for {what}");
            }
        }
    }
}
