using System.Text.Json;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>Reads <c>http</c>: <c>{"host": "shop.example.com", "port": 9000}</c>, both required.</summary>
internal static class HttpReader
{

    public static HttpRoute? Read(JsonElement value, string path, ErrorList errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            JsonValues.WrongType(value, path, """an object like {"host": "shop.example.com", "port": 80}""", errors);
            return null;
        }

        var before = errors.Count;
        string? host = null;
        int? port = null;
        bool hostSeen = false, portSeen = false;
        foreach (var (name, fieldPath, item) in ObjectFields.Read(value, path, errors))
        {
            switch (name)
            {
                case "host":
                    hostSeen = true;
                    if (JsonValues.TryReadString(item, fieldPath, errors, out var text))
                    {
                        host = text;
                        if (HostName.Check(text) is { } reason)
                        {
                            errors.Add(fieldPath, $"{Text.Quote(text)} is not a valid host name: {reason}");
                        }
                    }

                    break;
                case "port":
                    portSeen = true;
                    port = PortReader.Read(item, fieldPath, errors);
                    break;
                default:
                    errors.Add(fieldPath, ObjectFields.Unknown(name, ManifestSchema.Http.Members));
                    break;
            }
        }

        if (!hostSeen)
        {
            errors.Add(JsonPath.Property(path, "host"), "required");
        }

        if (!portSeen)
        {
            errors.Add(JsonPath.Property(path, "port"), "required");
        }

        return errors.Count == before && host is not null && port is { } ok ? new HttpRoute(host, ok) : null;
    }
}
