namespace Dokkaa.Cli.Tests.Support;

/// <summary>Reads the CLI's aligned table output back into rows keyed by column header.</summary>
public static class TextTable
{
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
            throw new FormatException("no table in the output (not even a header)");

        var header = lines[0];
        var names = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var starts = new int[names.Length];
        var from = 0;
        for (var i = 0; i < names.Length; i++)
        {
            starts[i] = header.IndexOf(names[i], from, StringComparison.Ordinal);
            from = starts[i] + names[i].Length;
        }

        var rows = new List<IReadOnlyDictionary<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                var start = Math.Min(starts[i], line.Length);
                var end = i + 1 < names.Length ? Math.Min(starts[i + 1], line.Length) : line.Length;
                row[names[i]] = line[start..end].Trim();
            }

            rows.Add(row);
        }

        return rows;
    }
}
