using System.Security.Cryptography;
using System.Text;
using Dokkaa.Core.Manifests.Serialization;

namespace Dokkaa.Core.Manifests;

/// <summary>
/// Writes manifests as JSON, and hashes them.
/// <para>
/// The canonical form is one compact line: keys in the order image, scale, services, command, links, env,
/// http, exclusive; <c>scale</c> always written; <c>services</c> always in the object form
/// <c>{"port":80,"protocol":"tcp"}</c> (<c>role</c> only when set), sorted by name; <c>links</c> sorted
/// (a link list is a set: order carries no meaning); <c>env</c> sorted by name; ordinal sorting
/// throughout; omitted when absent or default: <c>command</c> null, empty <c>services</c>/<c>links</c>/
/// <c>env</c>, <c>http</c> null, <c>exclusive</c> false. Strings escape only what JSON requires.
/// Two manifests that mean the same have the same canonical text, and <c>Parse</c> of it gives back an
/// equal manifest.
/// </para>
/// </summary>
public static class ManifestSerializer
{
    /// <summary>Length of <see cref="Hash"/>: 64 bits is plenty to tell versions of one manifest apart.</summary>
    public const int HashLength = 16;

    public static string ToCanonicalJson(Manifest manifest) => ToJson(manifest, indented: false);

    /// <summary>
    /// The canonical form, optionally indented for people. It does not validate: a manifest built in code
    /// may break the rules, and <see cref="ManifestParser.Validate"/> says how.
    /// </summary>
    public static string ToJson(Manifest manifest, bool indented)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var json = new JsonTextBuilder(indented);
        json.StartObject();
        json.Name("image");
        json.String(manifest.Image);
        json.Name("scale");
        json.Number(manifest.Scale);
        WriteServices(json, manifest.Services);
        if (manifest.Command is { } command)
        {
            json.Name("command");
            WriteStrings(json, command);
        }

        if (manifest.Links is { Count: > 0 } links)
        {
            json.Name("links");
            WriteStrings(json, links.Order(StringComparer.Ordinal));
        }

        WriteEnv(json, manifest.Env);
        if (manifest.Http is { } http)
        {
            json.Name("http");
            json.StartObject();
            json.Name("host");
            json.String(http.Host);
            json.Name("port");
            json.Number(http.Port);
            json.EndObject();
        }

        if (manifest.Exclusive)
        {
            json.Name("exclusive");
            json.Bool(true);
        }

        if (manifest.Constraints is { Count: > 0 } constraints)
        {
            json.Name("constraints");
            json.StartObject();
            foreach (var (label, value) in constraints.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                json.Name(label);
                json.String(value);
            }

            json.EndObject();
        }

        if (manifest.Resources is { } resources && (resources.MilliCpus > 0 || resources.MemoryBytes > 0))
        {
            json.Name("resources");
            json.StartObject();
            if (resources.MilliCpus > 0)
            {
                json.Name("cpus");
                json.Number(resources.MilliCpus / 1000m);
            }

            if (resources.MemoryBytes > 0)
            {
                json.Name("memory");
                json.Number(resources.MemoryBytes);
            }

            json.EndObject();
        }

        json.EndObject();
        return json.ToString();
    }

    /// <summary>
    /// Lowercase hex of the SHA-256 of the canonical JSON's UTF-8 bytes, first <see cref="HashLength"/>
    /// characters: the identity of a manifest version (whitespace, key order and the seed's short service
    /// form do not change it). Containers carry <see cref="ContainerHash"/> instead.
    /// </summary>
    public static string Hash(Manifest manifest) => HashOf(manifest);

    /// <summary>
    /// The hash of what a container is made from: the manifest without the fields that only say how many
    /// and where (scale, constraints, exclusive) or how traffic reaches it (http). Containers are labelled
    /// with this, so scaling 3 -> 1 or adding a constraint replaces nothing that runs.
    /// </summary>
    public static string ContainerHash(Manifest manifest) =>
        HashOf(manifest with { Scale = 1, Constraints = Manifest.EmptyEnv, Exclusive = false, Http = null });

    private static string HashOf(Manifest manifest)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson(manifest)));
        return Convert.ToHexString(digest, 0, HashLength / 2).ToLowerInvariant();
    }

    private static void WriteServices(JsonTextBuilder json, IReadOnlyDictionary<string, ServicePort>? services)
    {
        if (services is not { Count: > 0 })
        {
            return;
        }

        json.Name("services");
        json.StartObject();
        foreach (var (name, service) in services.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            json.Name(name);
            if (service is null)
            {
                json.Null();
                continue;
            }

            json.StartObject();
            json.Name("port");
            json.Number(service.Port);
            json.Name("protocol");
            json.String(service.Protocol);
            if (service.Role is not null)
            {
                json.Name("role");
                json.String(service.Role);
            }

            json.EndObject();
        }

        json.EndObject();
    }

    private static void WriteEnv(JsonTextBuilder json, IReadOnlyDictionary<string, string>? env)
    {
        if (env is not { Count: > 0 })
        {
            return;
        }

        json.Name("env");
        json.StartObject();
        foreach (var (name, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.Name(name);
            json.String(value);
        }

        json.EndObject();
    }

    private static void WriteStrings(JsonTextBuilder json, IEnumerable<string> items)
    {
        json.StartArray();
        foreach (var item in items)
        {
            json.String(item);
        }

        json.EndArray();
    }
}
