using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>
/// What tab completion offers for <c>-App</c>, <c>-Name</c>, <c>-HostName</c> and <c>-Service</c>: names
/// read from the live cluster. Completion runs while the operator waits at the prompt, so a slow or dead
/// cluster yields nothing after <see cref="CompletionTimeouts.Total"/> rather than a hang or an error.
/// </summary>
public static class Completions
{
    public static IReadOnlyList<string> Apps(ClusterOperations operations, string? word, TimeSpan? timeout = null) =>
        Ask(async ct => (await operations.GetManifestsAsync(cancellationToken: ct).ConfigureAwait(false)).Select(m => m.App), word, timeout);

    /// <summary>Manifest names, of the apps matching <paramref name="app"/> (a wildcard pattern, or null for all).</summary>
    public static IReadOnlyList<string> Names(ClusterOperations operations, string? app, string? word, TimeSpan? timeout = null) =>
        Ask(async ct => (await operations.GetManifestsAsync(Pattern(app), cancellationToken: ct).ConfigureAwait(false)).Select(m => m.Name), word, timeout);

    public static IReadOnlyList<string> Hosts(ClusterOperations operations, string? word, TimeSpan? timeout = null) =>
        Ask(async ct => (await operations.GetHostsAsync(cancellationToken: ct).ConfigureAwait(false)).Select(h => h.Name), word, timeout);

    /// <summary>Service names the manifests provide, of the apps matching <paramref name="app"/>.</summary>
    public static IReadOnlyList<string> Services(ClusterOperations operations, string? app, string? word, TimeSpan? timeout = null) =>
        Ask(async ct => (await operations.GetManifestsAsync(Pattern(app), cancellationToken: ct).ConfigureAwait(false))
            .Where(m => m.Manifest is not null)
            .SelectMany(m => m.Manifest!.Services.Keys), word, timeout);

    /// <summary>Strips the quotes PowerShell leaves on a word being completed (<c>'ngi</c>).</summary>
    public static string Prefix(string? word) => (word ?? "").Trim().Trim('\'', '"');

    private static string? Pattern(string? app) => string.IsNullOrWhiteSpace(app) ? null : Prefix(app);

    private static IReadOnlyList<string> Ask(Func<CancellationToken, Task<IEnumerable<string>>> query, string? word, TimeSpan? timeout)
    {
        var limit = timeout ?? CompletionTimeouts.Total;
        var prefix = Prefix(word);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            var task = Task.Run(() => query(cts.Token), cts.Token);
            // Wait no longer than the limit even if the query ignored its token; it is cancelled either way.
            if (!task.Wait(limit))
                return Array.Empty<string>();
            return task.Result
                .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is AggregateException or OperationCanceledException or DokkaaException)
        {
            return Array.Empty<string>();
        }
    }
}
