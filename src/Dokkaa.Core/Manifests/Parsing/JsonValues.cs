using System.Text.Json;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads JSON scalars with the type checks every field needs, reporting a wrong type as
/// "expected X, got Y" at the value's path.
/// </summary>
internal static class JsonValues
{
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    public static void WrongType(JsonElement value, string path, string expected, ErrorList errors) =>
        errors.Add(path, $"expected {expected}, got {Describe(value.ValueKind)}");

    /// <summary>
    /// A string value. JSON may escape a lone surrogate (<c>"\ud800"</c>), which is no text at all:
    /// System.Text.Json throws on reading it, so that case becomes an error here.
    /// </summary>
    public static bool TryReadString(JsonElement value, string path, ErrorList errors, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.String)
        {
            WrongType(value, path, "a string", errors);
            return false;
        }

        try
        {
            text = value.GetString() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            errors.Add(path, "is not valid Unicode text (it escapes an unpaired surrogate)");
            return false;
        }
    }

    public static bool TryReadBool(JsonElement value, string path, ErrorList errors, out bool result)
    {
        result = value.ValueKind == JsonValueKind.True;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return true;
        }

        WrongType(value, path, "true or false", errors);
        return false;
    }

    /// <summary>
    /// Classifies a number: an integer that fits in a long, an integer too large for one (reported as out of
    /// range, not as "not an integer"), or not an integer at all (<c>1.5</c>, <c>1e2</c>; plain digits only,
    /// since a manifest is written by people and <c>80.0</c> for a port is more likely a slip than intent).
    /// </summary>
    public static IntegerKind ClassifyInteger(JsonElement number, out long value)
    {
        if (number.TryGetInt64(out value))
        {
            return IntegerKind.Fits;
        }

        var raw = number.GetRawText();
        var digits = raw.StartsWith('-') ? raw[1..] : raw;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            value = raw.StartsWith('-') ? long.MinValue : long.MaxValue;
            return IntegerKind.TooLarge;
        }

        return IntegerKind.NotInteger;
    }
}

internal enum IntegerKind
{
    Fits,
    TooLarge,
    NotInteger,
}
