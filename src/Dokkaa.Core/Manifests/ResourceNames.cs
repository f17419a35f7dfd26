using System.Diagnostics.CodeAnalysis;
using Dokkaa.Core.Manifests.Rules;

namespace Dokkaa.Core.Manifests;

/// <summary>
/// The rule for app and manifest names (<c>/apps/&lt;app&gt;/&lt;name&gt;/manifest</c>). They become
/// etcd key segments, DNS labels (<c>&lt;name&gt;.&lt;app&gt;.container</c>) and container names
/// (<c>&lt;app&gt;---&lt;name&gt;---&lt;i&gt;</c>), so: a lowercase DNS label, and no <c>---</c>,
/// which would make a container name ambiguous when an agent adopts its containers after a restart.
/// </summary>
public static class ResourceNames
{
    /// <summary>What a valid name looks like, for help texts and error messages.</summary>
    public const string Rule = DnsLabel.Rule + ", without \"---\"";

    private const string Separator = "---";

    /// <summary>True when <paramref name="value"/> is a valid app or manifest name; else why not.</summary>
    public static bool IsValidName(string? value, [NotNullWhen(false)] out string? reason)
    {
        reason = value is null ? "must not be null"
            : DnsLabel.Check(value) is { } labelReason ? $"{labelReason} ({Rule})"
            : value.Contains(Separator, StringComparison.Ordinal) ? $"must not contain \"{Separator}\", which separates the parts of container names"
            : null;
        return reason is null;
    }

    /// <summary>
    /// What is wrong with the names in a manifest key that exists in etcd (written by hand, or by an older tool):
    /// one error per bad name, with path "key". Agents run nothing for such a key, because names that break the
    /// rule can collide (<c>/apps/x/a---b</c> and <c>/apps/x---a/b</c> would both be container <c>x---a---b</c>).
    /// </summary>
    public static IReadOnlyList<ManifestError> CheckKey(string app, string name)
    {
        var errors = new List<ManifestError>(0);
        if (!IsValidName(app, out var appReason))
            errors.Add(new ManifestError("key", $"app \"{app}\" {appReason}; nothing runs for this key until it is removed (dokkaa rm --app '{app}' --name '{name}')"));
        if (!IsValidName(name, out var nameReason))
            errors.Add(new ManifestError("key", $"name \"{name}\" {nameReason}; nothing runs for this key until it is removed (dokkaa rm --app '{app}' --name '{name}')"));
        return errors;
    }

    /// <summary>
    /// True when <paramref name="value"/> can be one segment of a manifest key: not empty and without '/'. Reading
    /// and removing accept any such name, so the tools can remove whatever an agent reports as invalid.
    /// </summary>
    public static bool IsKeySegment(string? value) => !string.IsNullOrEmpty(value) && !value.Contains('/');

    /// <exception cref="InvalidResourceNameException">The app name breaks the rule.</exception>
    public static void ValidateApp(string app) => Validate("app", app);

    /// <exception cref="InvalidResourceNameException">The manifest name breaks the rule.</exception>
    public static void ValidateName(string name) => Validate("name", name);

    private static void Validate(string kind, string value)
    {
        if (!IsValidName(value, out var reason))
        {
            throw new InvalidResourceNameException(kind, value ?? "", reason);
        }
    }
}
