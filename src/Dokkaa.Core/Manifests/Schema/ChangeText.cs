namespace Dokkaa.Core.Manifests.Schema;

/// <summary>
/// How a change of one field reads in the diff that <c>-WhatIf</c> and <c>dokkaa apply --dry-run</c> show:
/// <c>a -> b</c> for values, <c>+added ~changed -removed</c> for maps and sets, keys sorted ordinally.
/// </summary>
internal static class ChangeText
{
    /// <summary><c>before -> after</c>, or null when equal.</summary>
    public static string? Value<T>(T before, T after, Func<T, string> show) =>
        EqualityComparer<T>.Default.Equals(before, after) ? null : $"{show(before)} -> {show(after)}";

    /// <summary>
    /// The keys added, changed and removed, each with its new value when <paramref name="show"/> gives one
    /// (env gives none: its values may be secrets).
    /// </summary>
    public static string? Map<T>(IReadOnlyDictionary<string, T> before, IReadOnlyDictionary<string, T> after, Func<T, string?> show)
    {
        var items = new List<string>();
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var had = before.TryGetValue(key, out var old);
            var has = after.TryGetValue(key, out var now);
            if (had && !has)
                items.Add("-" + key);
            else if (!had && has)
                items.Add("+" + key + (show(now!) is { } text ? "=" + text : ""));
            else if (!EqualityComparer<T>.Default.Equals(old, now))
                items.Add("~" + key + (show(now!) is { } text ? "=" + text : ""));
        }

        return items.Count == 0 ? null : string.Join(" ", items);
    }

    /// <summary>The members removed and added, for a list whose order carries no meaning.</summary>
    public static string? Set(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var removed = before.Except(after, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(l => "-" + l);
        var added = after.Except(before, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(l => "+" + l);
        var items = removed.Concat(added).ToList();
        return items.Count == 0 ? null : string.Join(" ", items);
    }

    /// <summary><c>name=value</c> pairs sorted by name, or null for an empty map.</summary>
    public static string? Pairs<T>(IReadOnlyDictionary<string, T> map, Func<T, string> show) =>
        map.Count == 0 ? null : string.Join(" ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={show(p.Value)}"));

    /// <summary>The items sorted, or null when there are none.</summary>
    public static string? Sorted(IEnumerable<string> items, int count) =>
        count == 0 ? null : string.Join(" ", items.Order(StringComparer.Ordinal));

    public static string Command(IReadOnlyList<string>? command) => command is null ? "(image default)" : "[" + string.Join(", ", command) + "]";

    public static string OrNone(object? value) => value?.ToString() ?? "(none)";

    public static string Bool(bool value) => value ? "true" : "false";
}
