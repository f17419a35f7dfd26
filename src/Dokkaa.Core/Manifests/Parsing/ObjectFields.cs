using System.Text.Json;

using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Enumerates an object's properties once each. JSON parsers disagree on duplicate keys (first wins,
/// last wins, error); a manifest that means different things to etcdctl, jq and the agent is a trap, so a
/// repeated key is an error and only its first occurrence is read.
/// </summary>
internal static class ObjectFields
{
    public static IEnumerable<(string Name, string Path, JsonElement Value)> Read(
        JsonElement obj, string path, ErrorList errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            string name;
            try
            {
                name = property.Name;
            }
            catch (InvalidOperationException)
            {
                errors.Add(path, "has a key that is not valid Unicode text (it escapes an unpaired surrogate)");
                continue;
            }

            var childPath = JsonPath.Property(path, name);
            if (!seen.Add(name))
            {
                errors.Add(childPath, "duplicate key");
                continue;
            }

            yield return (name, childPath, property.Value);
        }
    }

    /// <summary>The message for a field the schema does not know, with a hint for a miscapitalised one.</summary>
    public static string Unknown(string name, IReadOnlyList<string> known)
    {
        var match = ManifestSchema.Match(name, known);
        return match is null
            ? $"unknown field (expected one of: {string.Join(", ", known)})"
            : $"unknown field (field names are case-sensitive: did you mean {Text.Quote(match)}?)";
    }
}
