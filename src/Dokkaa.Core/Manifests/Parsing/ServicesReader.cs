using System.Text.Json;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests.Parsing;

/// <summary>
/// Reads <c>services</c>: name -> port, in the seed's short form <c>{"nginx": 80}</c> or the later object
/// form <c>{"nginx": {"port": 80, "protocol": "tcp", "role": "web"}}</c>. Both become a
/// <see cref="ServicePort"/>, so the two forms of one manifest are equal and hash the same.
/// </summary>
internal static class ServicesReader
{
    private const int MaxRoleLength = 63;
    private static readonly string[] Protocols = { "tcp", "udp" };

    public static Dictionary<string, ServicePort> Read(JsonElement value, string path, ErrorList errors)
    {
        var services = new Dictionary<string, ServicePort>(StringComparer.Ordinal);
        if (value.ValueKind != JsonValueKind.Object)
        {
            JsonValues.WrongType(value, path, "an object of service name -> port", errors);
            return services;
        }

        foreach (var (name, servicePath, spec) in ObjectFields.Read(value, path, errors))
        {
            if (DnsLabel.Check(name) is { } reason)
            {
                errors.Add(servicePath, $"service name {Text.Quote(name)} {reason} ({DnsLabel.Rule})");
            }

            var service = spec.ValueKind switch
            {
                JsonValueKind.Number => PortReader.Read(spec, servicePath, errors) is { } port ? new ServicePort(port) : null,
                JsonValueKind.Object => ReadObjectForm(spec, servicePath, errors),
                _ => WrongForm(spec, servicePath, errors),
            };
            if (service is not null)
            {
                services[name] = service;
            }
        }

        return services;
    }

    private static ServicePort? WrongForm(JsonElement spec, string path, ErrorList errors)
    {
        JsonValues.WrongType(spec, path, """a port number or an object like {"port": 80, "protocol": "tcp"}""", errors);
        return null;
    }

    private static ServicePort? ReadObjectForm(JsonElement spec, string path, ErrorList errors)
    {
        var before = errors.Count;
        int? port = null;
        var portSeen = false;
        var protocol = "tcp";
        string? role = null;
        foreach (var (name, fieldPath, value) in ObjectFields.Read(spec, path, errors))
        {
            switch (name)
            {
                case "port":
                    portSeen = true;
                    port = PortReader.Read(value, fieldPath, errors);
                    break;
                case "protocol":
                    if (JsonValues.TryReadString(value, fieldPath, errors, out var p))
                    {
                        protocol = p;
                        if (!Protocols.Contains(p, StringComparer.Ordinal))
                        {
                            errors.Add(fieldPath, $"must be \"tcp\" or \"udp\", got {Text.Quote(p)}");
                        }
                    }

                    break;
                case "role":
                    if (JsonValues.TryReadString(value, fieldPath, errors, out var r))
                    {
                        role = r;
                        CheckRole(r, fieldPath, errors);
                    }

                    break;
                default:
                    errors.Add(fieldPath, ObjectFields.Unknown(name, ManifestSchema.Services.EntryMembers));
                    break;
            }
        }

        if (!portSeen)
        {
            errors.Add(JsonPath.Property(path, "port"), "required");
        }

        return errors.Count == before && port is { } ok ? new ServicePort(ok, protocol, role) : null;
    }

    // A role is a free-form tag, but it is shown in tables and logs: keep it a short, printable word.
    private static void CheckRole(string role, string path, ErrorList errors)
    {
        if (role.Length is 0 or > MaxRoleLength || role.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            errors.Add(path, $"role must be 1-{MaxRoleLength} characters without spaces or control characters, got {Text.Quote(role)}");
        }
    }
}
