using System.Collections;
using System.Globalization;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell;

/// <summary>
/// A partial change for <c>Update-DokkaaManifest</c>: only what is given changes. <c>Env</c> is merged
/// into the current environment; an entry whose value is <c>$null</c> removes that variable.
/// </summary>
public sealed record ManifestEdit(int? Scale = null, string? Image = null, IDictionary? Env = null)
{
    public bool IsEmpty => Scale is null && Image is null && Env is null;

    /// <summary>The manifest with this change applied (not validated: the write validates and names the field).</summary>
    /// <exception cref="DokkaaException"><see cref="DokkaaErrorKind.ManifestInvalid"/>: an env value is not text.</exception>
    public Manifest ApplyTo(Manifest current, Func<object, object?>? unwrap = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        unwrap ??= static o => o;
        var result = current;
        if (Scale is { } scale)
            result = result with { Scale = scale };
        if (Image is { } image)
            result = result with { Image = image };
        if (Env is { } env)
        {
            var merged = new Dictionary<string, string>(current.Env, StringComparer.Ordinal);
            foreach (DictionaryEntry entry in env)
            {
                var key = Convert.ToString(entry.Key is null ? null : unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "";
                switch (entry.Value is null ? null : unwrap(entry.Value))
                {
                    case null:
                        merged.Remove(key);
                        break;
                    case string text:
                        merged[key] = text;
                        break;
                    case var other:
                        throw new DokkaaException(DokkaaErrorKind.ManifestInvalid,
                            $"Invalid manifest: $.env.{key}: expected a string, got {other.GetType().Name} {Convert.ToString(other, CultureInfo.InvariantCulture)}; quote it to pass it as text");
                }
            }

            result = result with { Env = merged.AsReadOnly() };
        }

        return result;
    }
}
