using System.Text.Json;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads <c>links</c>: services this container uses, <c>service</c> in the same app or <c>service.app</c>
/// in another. Each link becomes <c>SERVICE_&lt;NAME&gt;_ADDR/_PORT</c>, so a repeated link is an error
/// rather than a silent no-op.
/// </summary>
internal static class LinksReader
{
    /// <summary>
    /// Each distinct link holds an ambassador port on every host that runs an instance (1,000 ports by default):
    /// without a limit one small manifest could take all of them and leave every other link on those hosts without one.
    /// </summary>
    public const int MaxLinks = 64;

    public static List<string> Read(JsonElement value, string path, ErrorList errors)
    {
        var links = new List<string>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            JsonValues.WrongType(value, path, "an array of service names", errors);
            return links;
        }

        var count = value.GetArrayLength();
        if (count > MaxLinks)
        {
            // One error for the list rather than one per link beyond the limit.
            errors.Add(path, $"has {count} links, at most {MaxLinks} are allowed (each link holds an ambassador port on every host that runs an instance)");
            return links;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = JsonPath.Index(path, index++);
            if (!JsonValues.TryReadString(item, itemPath, errors, out var link))
            {
                continue;
            }

            if (Check(link) is { } reason)
            {
                errors.Add(itemPath, $"link {Text.Quote(link)} {reason}");
            }
            else if (!seen.Add(link))
            {
                errors.Add(itemPath, $"duplicate link {Text.Quote(link)}");
            }
            else if (prefixes.TryGetValue(LinkEnv.Prefix(link), out var other))
            {
                errors.Add(itemPath, $"link {Text.Quote(link)} and link {Text.Quote(other)} would both set {LinkEnv.Prefix(link)}_ADDR");
            }
            else
            {
                prefixes[LinkEnv.Prefix(link)] = link;
            }

            links.Add(link);
        }

        return links;
    }

    private static string? Check(string link)
    {
        var parts = link.Split('.');
        if (parts.Length > 2)
        {
            return "must be \"service\" or \"service.app\"";
        }

        if (DnsLabel.Check(parts[0]) is { } serviceReason)
        {
            return $"has a service name that {serviceReason} ({DnsLabel.Rule})";
        }

        return parts.Length == 2 && !ResourceNames.IsValidName(parts[1], out var appReason)
            ? $"has an app name that {appReason}"
            : null;
    }
}
