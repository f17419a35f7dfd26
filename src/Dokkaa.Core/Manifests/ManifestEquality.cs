namespace Dokkaa.Core.Manifests;

/// <summary>
/// Value equality for manifests. The compiler's record equality compares the dictionaries and lists by
/// reference, so two parses of the same JSON would differ. Equal here means "same canonical JSON": one
/// definition shared with <see cref="ManifestSerializer.Hash"/>, so equal manifests always hash alike and
/// the seed's <c>{"nginx": 80}</c> equals <c>{"nginx": {"port": 80, "protocol": "tcp"}}</c>. Links compare as a
/// set (their order carries no meaning); the command compares in order.
/// </summary>
public sealed partial record Manifest
{
    public bool Equals(Manifest? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || string.Equals(
                ManifestSerializer.ToCanonicalJson(this),
                ManifestSerializer.ToCanonicalJson(other),
                StringComparison.Ordinal));

    public override int GetHashCode() =>
        StringComparer.Ordinal.GetHashCode(ManifestSerializer.ToCanonicalJson(this));
}
