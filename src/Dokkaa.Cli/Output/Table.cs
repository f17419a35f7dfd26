namespace Dokkaa.Cli.Output;

/// <summary>Plain aligned columns, like docker ps: readable in a terminal and greppable.</summary>
public static class Table
{
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in all)
        {
            for (var i = 0; i < widths.Length && i < row.Count; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        }

        writer.WriteLine(Format(headers, widths));
        foreach (var row in all)
            writer.WriteLine(Format(row, widths));
    }

    private static string Format(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("   ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
