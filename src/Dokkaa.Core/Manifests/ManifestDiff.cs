namespace Dokkaa.Core.Manifests;

/// <summary>
/// Says in one line what writing a manifest would change: what <c>-WhatIf</c>/<c>-Confirm</c> and
/// <c>dokkaa apply --dry-run</c> show. Every field of <see cref="Manifest"/> is described (a test changes
/// each one and checks that it is).
/// </summary>
public static class ManifestDiff
{
    public static string Describe(Manifest? before, Manifest after)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (before is null)
            return "create: " + Summary(after);
        if (before == after)
            return "no change";

        var changes = new List<string>();
        if (before.Image != after.Image)
            changes.Add($"image {before.Image} -> {after.Image}");
        if (before.Scale != after.Scale)
            changes.Add($"scale {before.Scale} -> {after.Scale}");
        Dictionary(changes, "services", before.Services, after.Services, Service);
        if (!Same(before.Command, after.Command))
            changes.Add(after.Command is null ? "command removed" : $"command {Command(before.Command)} -> {Command(after.Command)}");
        Set(changes, "links", before.Links, after.Links);
        Dictionary(changes, "env", before.Env, after.Env, _ => null);
        if (before.Http != after.Http)
            changes.Add($"http {Http(before.Http)} -> {Http(after.Http)}");
        if (before.Exclusive != after.Exclusive)
            changes.Add($"exclusive {Bool(before.Exclusive)} -> {Bool(after.Exclusive)}");
        Dictionary(changes, "constraints", before.Constraints, after.Constraints, value => value);
        if (before.Resources != after.Resources)
            changes.Add($"resources {Resources(before.Resources)} -> {Resources(after.Resources)}");
        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }

    /// <summary>The essentials of a manifest: <c>image dockerfile/nginx, scale 1, services nginx=80/tcp</c>.</summary>
    public static string Summary(Manifest manifest)
    {
        var parts = new List<string> { $"image {manifest.Image}", $"scale {manifest.Scale}" };
        if (manifest.Services.Count > 0)
            parts.Add("services " + string.Join(" ", manifest.Services.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={Service(s.Value)}")));
        if (manifest.Links.Count > 0)
            parts.Add("links " + string.Join(" ", manifest.Links.Order(StringComparer.Ordinal)));
        if (manifest.Env.Count > 0)
            parts.Add("env " + string.Join(" ", manifest.Env.Keys.Order(StringComparer.Ordinal)));
        if (manifest.Http is { } http)
            parts.Add("http " + Http(http));
        if (manifest.Exclusive)
            parts.Add("exclusive");
        if (manifest.Constraints.Count > 0)
            parts.Add("constraints " + string.Join(" ", manifest.Constraints.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")));
        if (manifest.Resources is { } resources)
            parts.Add("resources " + Resources(resources));
        return string.Join(", ", parts);
    }

    private static void Dictionary<T>(List<string> changes, string field, IReadOnlyDictionary<string, T> before, IReadOnlyDictionary<string, T> after, Func<T, string?> show)
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

        if (items.Count > 0)
            changes.Add($"{field} {string.Join(" ", items)}");
    }

    private static void Set(List<string> changes, string field, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var removed = before.Except(after, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(l => "-" + l);
        var added = after.Except(before, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(l => "+" + l);
        var items = removed.Concat(added).ToList();
        if (items.Count > 0)
            changes.Add($"{field} {string.Join(" ", items)}");
    }

    private static bool Same(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    private static string Service(ServicePort port) => port.ToString();

    private static string Command(IReadOnlyList<string>? command) => command is null ? "(image default)" : "[" + string.Join(", ", command) + "]";

    private static string Http(HttpRoute? http) => http?.ToString() ?? "(none)";

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Resources(ResourceRequest? resources) => resources?.ToString() ?? "(none)";
}
