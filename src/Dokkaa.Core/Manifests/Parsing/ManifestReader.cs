using System.Text.Json;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads the top level of a manifest: dispatches each field to its reader, rejects unknown fields, and
/// builds a <see cref="Manifest"/> only when nothing at all was wrong.
/// </summary>
internal static class ManifestReader
{
    public const int MaxScale = 1000;

    public static Manifest? Read(JsonElement root, ErrorList errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            JsonValues.WrongType(root, JsonPath.Root, "a manifest object", errors);
            return null;
        }

        string? image = null;
        var imageSeen = false;
        var scale = 1;
        var services = new Dictionary<string, ServicePort>(StringComparer.Ordinal);
        List<string>? command = null;
        var links = new List<string>();
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        HttpRoute? http = null;
        string? httpPath = null;
        var servicesRead = true;
        var exclusive = false;
        var constraints = new Dictionary<string, string>(StringComparer.Ordinal);
        ResourceRequest? resources = null;

        foreach (var (name, path, value) in ObjectFields.Read(root, JsonPath.Root, errors))
        {
            switch (name)
            {
                case "image":
                    imageSeen = true;
                    image = ReadImage(value, path, errors);
                    break;
                case "scale":
                    scale = ReadScale(value, path, errors);
                    break;
                case "services":
                    var beforeServices = errors.Count;
                    services = ServicesReader.Read(value, path, errors);
                    servicesRead = errors.Count == beforeServices;
                    break;
                case "command":
                    command = CommandReader.Read(value, path, errors);
                    break;
                case "links":
                    links = LinksReader.Read(value, path, errors);
                    break;
                case "env":
                    env = EnvReader.Read(value, path, errors);
                    break;
                case "http":
                    http = HttpReader.Read(value, path, errors);
                    httpPath = path;
                    break;
                case "exclusive":
                    JsonValues.TryReadBool(value, path, errors, out exclusive);
                    break;
                case "constraints":
                    constraints = ConstraintsReader.Read(value, path, errors);
                    break;
                case "resources":
                    resources = ResourcesReader.Read(value, path, errors);
                    break;
                default:
                    errors.Add(path, ObjectFields.Unknown(name, ManifestFields.Manifest));
                    break;
            }
        }

        if (!imageSeen)
        {
            errors.Add(JsonPath.Property(JsonPath.Root, "image"), "required");
        }

        // Only against services that were read in full: a service with an error of its own proves nothing.
        if (http is not null && servicesRead && HttpPort.Check(http.Port, services) is { } portError)
        {
            errors.Add(JsonPath.Property(httpPath!, "port"), portError);
        }

        if (errors.Count > 0 || image is null)
        {
            return null;
        }

        return new Manifest
        {
            Image = image,
            Scale = scale,
            // Read-only views, so no caller can change a manifest (and its hash) behind its back.
            Services = services.AsReadOnly(),
            Command = command?.AsReadOnly(),
            Links = links.AsReadOnly(),
            Env = env.AsReadOnly(),
            Http = http,
            Exclusive = exclusive,
            Constraints = constraints.AsReadOnly(),
            Resources = resources,
        };
    }

    private static string? ReadImage(JsonElement value, string path, ErrorList errors)
    {
        if (!JsonValues.TryReadString(value, path, errors, out var image))
        {
            return null;
        }

        if (ImageReference.Check(image) is { } reason)
        {
            errors.Add(path, $"{Text.Quote(image)} is not a valid image reference: {reason}");
            return null;
        }

        return image;
    }

    private static int ReadScale(JsonElement value, string path, ErrorList errors)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            JsonValues.WrongType(value, path, $"an integer 0-{MaxScale}", errors);
            return 0;
        }

        var kind = JsonValues.ClassifyInteger(value, out var scale);
        if (kind == IntegerKind.NotInteger || scale < 0)
        {
            errors.Add(path, $"must be an integer >= 0, got {value.GetRawText()}");
        }
        else if (kind == IntegerKind.TooLarge || scale > MaxScale)
        {
            errors.Add(path, $"must be at most {MaxScale}, got {value.GetRawText()}");
        }

        return (int)Math.Clamp(scale, 0, MaxScale);
    }
}
