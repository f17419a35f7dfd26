namespace Dokkaa.Agent.Docker;

/// <summary>The <c>filters</c> of list and events calls, in Docker.DotNet's shape: <c>{"label": {"k=v": true, "k2": true}}</c>.</summary>
internal static class LabelFilters
{
    /// <summary>A label with a null value matches on the key alone; <paramref name="others"/> adds filters such as type=container.</summary>
    public static IDictionary<string, IDictionary<string, bool>> For(IReadOnlyDictionary<string, string?> labels, params (string Key, string Value)[] others)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var filters = new Dictionary<string, IDictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var group in others.GroupBy(o => o.Key))
            filters[group.Key] = group.ToDictionary(o => o.Value, _ => true);
        if (labels.Count > 0)
            filters["label"] = labels.ToDictionary(l => l.Value is null ? l.Key : $"{l.Key}={l.Value}", _ => true);
        return filters;
    }
}
