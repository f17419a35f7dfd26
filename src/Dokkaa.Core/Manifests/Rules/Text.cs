using System.Globalization;
using System.Text;

namespace Dokkaa.Core.Manifests.Rules;

/// <summary>
/// Quotes user-supplied text for error messages. Messages end up in logs, terminals and the status key
/// in etcd, so control characters are escaped and long values are cut short.
/// </summary>
internal static class Text
{
    private const int MaxQuoted = 64;

    public static string Quote(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxQuoted) + 8);
        builder.Append('"');
        var shown = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (shown == MaxQuoted)
            {
                builder.Append("\"...");
                return builder.ToString();
            }

            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (c == '"' || c == '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c is '\n' or '\r' or '\t')
            {
                builder.Append(c switch { '\n' => "\\n", '\r' => "\\r", _ => "\\t" });
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }

            shown++;
        }

        return builder.Append('"').ToString();
    }

    /// <summary>One character, quoted as in <see cref="Quote"/>: <c>';'</c> reads better than <c>";"</c>.</summary>
    public static string QuoteChar(char c) => "'" + Quote(c.ToString())[1..^1] + "'";
}
