using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Dokkaa.Core.Manifests.Parsing;

namespace Dokkaa.Core.Manifests;

/// <summary>
/// Turns manifest JSON (as an operator writes it into etcd) into a <see cref="Manifest"/>, or explains
/// every way it is wrong. The only exception it throws is <see cref="ManifestValidationException"/>,
/// so an agent that reads hand-written manifests from etcd can report the error and carry on.
/// </summary>
public static class ManifestParser
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <exception cref="ManifestValidationException">The text is not JSON or not a valid manifest.</exception>
    public static Manifest Parse(string json) =>
        TryParse(json, out var manifest, out var errors) ? manifest : throw new ManifestValidationException(errors);

    /// <exception cref="ManifestValidationException">The element is not a valid manifest.</exception>
    public static Manifest Parse(JsonElement element)
    {
        var errors = new ErrorList();
        return ManifestReader.Read(element, errors) ?? throw new ManifestValidationException(errors.Items);
    }

    /// <summary>
    /// The longest manifest text read, in characters. The seed's manifests are a few hundred bytes; a 1.4 MB one took an
    /// agent from 178 MB to 1.9 GB while it parsed and reported it again on every pass.
    /// </summary>
    public const int MaxTextLength = 256 * 1024;

    /// <summary>Parses without throwing: false with every error found, or true with the manifest.</summary>
    public static bool TryParse(
        string json,
        [NotNullWhen(true)] out Manifest? manifest,
        out IReadOnlyList<ManifestError> errors)
    {
        var list = new ErrorList();
        manifest = null;
        if (json is null)
        {
            list.Add(JsonPath.Root, "not valid JSON: no text given");
        }
        else if (json.Length > MaxTextLength)
        {
            list.Add(JsonPath.Root, $"the manifest is {json.Length:N0} characters long; the limit is {MaxTextLength:N0} (not read)");
        }
        else
        {
            try
            {
                // A byte order mark is how some Windows editors start a UTF-8 file; it is not content.
                using var document = JsonDocument.Parse(json.AsMemory().TrimStart('\uFEFF'), Options);
                manifest = ManifestReader.Read(document.RootElement, list);
            }
            catch (JsonException e)
            {
                list.Add(JsonPath.Root, $"not valid JSON: {e.Message}");
            }
            catch (ArgumentException)
            {
                // Thrown while transcoding to UTF-8: the string holds an unpaired surrogate, which no
                // text read from a file or from etcd can contain.
                list.Add(JsonPath.Root, "not valid JSON: the text is not valid Unicode (it contains an unpaired surrogate)");
            }
        }

        errors = list.Items;
        return manifest is not null;
    }

    /// <summary>
    /// Checks a manifest built in code (say, by <c>with { Scale = n }</c>) against the same rules as parsed
    /// JSON, by parsing its canonical form, so the two can never drift apart.
    /// </summary>
    /// <exception cref="ManifestValidationException">The manifest breaks a rule.</exception>
    public static void Validate(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Parse(ManifestSerializer.ToCanonicalJson(manifest));
    }
}
