using System.Security.Cryptography;
using System.Text;
using Dokkaa.Core.Manifests.Serialization;

namespace Dokkaa.Core.Manifests;

/// <summary>
/// Writes manifests as JSON, and hashes them.
/// <para>
/// The canonical form is one compact line: keys in the order of <see cref="ManifestSchema.Fields"/>
/// (image, scale, services, command, links, env, http, exclusive, constraints, resources); <c>scale</c> always written; <c>services</c> always in the object form
/// <c>{"port":80,"protocol":"tcp"}</c> (<c>role</c> only when set), sorted by name; <c>links</c> sorted
/// (a link list is a set: order carries no meaning); <c>env</c> sorted by name; ordinal sorting
/// throughout; omitted when absent or default: <c>command</c> null, empty <c>services</c>/<c>links</c>/
/// <c>env</c>/<c>constraints</c>, <c>http</c> and <c>resources</c> null, <c>exclusive</c> false. Strings escape only what JSON requires.
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
        foreach (var field in ManifestSchema.Fields)
            field.Write(json, manifest);
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
    /// The hash of what a container is made from: the manifest with the fields that only say how many and where
    /// or how traffic reaches it (<see cref="ManifestField.ShapesContainer"/> false: scale, http, exclusive,
    /// constraints) at their defaults. Containers are labelled with this, so scaling 3 -> 1 or adding a
    /// constraint replaces nothing that runs.
    /// </summary>
    public static string ContainerHash(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var field in ManifestSchema.Fields)
        {
            if (!field.ShapesContainer)
                manifest = field.Reset(manifest);
        }

        return HashOf(manifest);
    }

    private static string HashOf(Manifest manifest)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson(manifest)));
        return Convert.ToHexString(digest, 0, HashLength / 2).ToLowerInvariant();
    }
}
