using System.Text.RegularExpressions;

namespace Dokkaa.Core.Tests.Architecture;

/// <summary>
/// Which Dokkaa namespace uses which, read from the source files' <c>namespace</c> and <c>using Dokkaa...;</c>
/// lines (no compiler needed: the code base names other namespaces by using directives only), and the cycles
/// in that graph.
/// </summary>
internal sealed partial class NamespaceGraph
{
    private readonly Dictionary<string, SortedSet<string>> _edges = new(StringComparer.Ordinal);

    /// <summary>Adds "<paramref name="from"/> uses <paramref name="to"/>"; a namespace using itself is no edge.</summary>
    public void Add(string from, string to)
    {
        if (!_edges.TryGetValue(from, out var targets))
            _edges[from] = targets = new SortedSet<string>(StringComparer.Ordinal);
        if (from != to)
            targets.Add(to);
    }

    /// <summary>The graph of every .cs file below <paramref name="root"/> (bin and obj left out).</summary>
    public static NamespaceGraph Read(string root)
    {
        var graph = new NamespaceGraph();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var parts = file.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("bin") || parts.Contains("obj"))
                continue;
            var text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is not { Success: true } ns)
                continue;
            foreach (Match use in UsingLine().Matches(text))
                graph.Add(ns.Groups[1].Value, use.Groups[1].Value);
        }

        return graph;
    }

    /// <summary>Every set of two or more namespaces that reach each other (Tarjan's strongly connected components), each sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in _edges.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] != index[node])
                return;
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != node);
            if (component.Count > 1)
                cycles.Add(component.Order(StringComparer.Ordinal).ToList());
        }

        foreach (var node in _edges.Keys.Order(StringComparer.Ordinal).ToList())
        {
            if (!index.ContainsKey(node))
                Visit(node);
        }

        return cycles;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using\s+(Dokkaa[\w.]*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
