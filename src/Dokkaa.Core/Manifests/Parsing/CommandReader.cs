using System.Text.Json;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads <c>command</c>: the program and its arguments, as the seed's crawler manifest writes them.
/// null means "the image's own command", the same as leaving the field out.
/// </summary>
internal static class CommandReader
{
    public static List<string>? Read(JsonElement value, string path, ErrorList errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            JsonValues.WrongType(value, path, "an array of strings", errors);
            return null;
        }

        if (value.GetArrayLength() == 0)
        {
            errors.Add(path, "must not be empty; leave it out (or null) to run the image's own command");
            return null;
        }

        var command = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, index);
            if (JsonValues.TryReadString(item, itemPath, errors, out var text))
            {
                // Arguments reach execve as C strings: a NUL would silently cut them short.
                if (text.Contains('\0'))
                {
                    errors.Add(itemPath, "must not contain a NUL character");
                }
                else if (index == 0 && text.Length == 0)
                {
                    errors.Add(itemPath, "the program to run must not be empty");
                }

                command.Add(text);
            }

            index++;
        }

        return command;
    }
}
