using System.Globalization;
using System.Text;

namespace Dokkaa.Core.Manifests.Serialization;

/// <summary>
/// A minimal JSON writer whose output is fixed by this file alone. The manifest hash is taken over its
/// output, so it must not change with the runtime: Utf8JsonWriter's escaping depends on the encoder and
/// its Unicode tables, which differ between the net8.0 pwsh host and a newer agent. Here only what JSON
/// requires is escaped ('"', '\', control characters, and unpaired surrogates so the text stays valid
/// UTF-8); everything else is written as is.
/// </summary>
internal sealed class JsonTextBuilder
{
    private readonly StringBuilder _text = new();
    private readonly Stack<bool> _hasItems = new();
    private readonly bool _indented;
    private bool _afterName;

    public JsonTextBuilder(bool indented) => _indented = indented;

    public override string ToString() => _text.ToString();

    public void StartObject() => Open('{');

    public void EndObject() => Close('}');

    public void StartArray() => Open('[');

    public void EndArray() => Close(']');

    public void Name(string name)
    {
        BeforeItem();
        Quoted(name);
        _text.Append(_indented ? ": " : ":");
        _afterName = true;
    }

    public void String(string? value)
    {
        BeforeValue();
        if (value is null)
        {
            _text.Append("null");
        }
        else
        {
            Quoted(value);
        }
    }

    public void Number(long value)
    {
        BeforeValue();
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A decimal as JSON number text, invariant, without trailing zeros (0.5, not 0.500).</summary>
    public void Number(decimal value)
    {
        BeforeValue();
        _text.Append(value.ToString("0.###", CultureInfo.InvariantCulture));
    }

    public void Bool(bool value)
    {
        BeforeValue();
        _text.Append(value ? "true" : "false");
    }

    public void Null()
    {
        BeforeValue();
        _text.Append("null");
    }

    private void Open(char bracket)
    {
        BeforeValue();
        _text.Append(bracket);
        _hasItems.Push(false);
    }

    private void Close(char bracket)
    {
        if (_hasItems.Pop())
        {
            NewLine();
        }

        _text.Append(bracket);
    }

    private void BeforeValue()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }

        BeforeItem();
    }

    private void BeforeItem()
    {
        if (_hasItems.Count == 0)
        {
            return;
        }

        if (_hasItems.Pop())
        {
            _text.Append(',');
        }

        _hasItems.Push(true);
        NewLine();
    }

    private void NewLine()
    {
        if (_indented)
        {
            _text.Append('\n').Append(' ', 2 * _hasItems.Count);
        }
    }

    private void Quoted(string value)
    {
        _text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '\r':
                    _text.Append("\\r");
                    break;
                case '\t':
                    _text.Append("\\t");
                    break;
                case '\b':
                    _text.Append("\\b");
                    break;
                case '\f':
                    _text.Append("\\f");
                    break;
                default:
                    if (c < ' ' || IsUnpairedSurrogate(value, i))
                    {
                        _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _text.Append(c);
                    }

                    break;
            }
        }

        _text.Append('"');
    }

    private static bool IsUnpairedSurrogate(string value, int i) =>
        char.IsHighSurrogate(value[i])
            ? i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])
            : char.IsLowSurrogate(value[i]) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));
}
