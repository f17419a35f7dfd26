using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dokkaa.Core.Manifests.Rules;

/// <summary>
/// Docker's image reference grammar (distribution/reference), checked by hand rather than by regex so that
/// each failure says what is wrong and no input can make the check slow:
/// <code>
/// reference := name [":" tag] ["@" digest]
/// name      := [domain "/"] component ("/" component)*      (at most 255 characters)
/// domain    := host [":" port]      host: DNS-ish labels (any case) or "[" IPv6 "]"
/// component := [a-z0-9]+ (separator [a-z0-9]+)*             separator: "." | "_" | "__" | "-"+
/// tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
/// digest    := "sha256:" 64 lowercase hex digits
/// </code>
/// As in Docker, the first part is a registry only if there is more than one part and it contains '.' or
/// ':', is <c>localhost</c>, or has an uppercase letter; otherwise it is a path component. The one reading of an
/// image reference: the manifest check and the agent's pull both use it.
/// </summary>
public static class ImageReference
{
    public const int MaxNameLength = 255;
    private const int MaxTagLength = 128;
    private const string DigestPrefix = "sha256:";
    private const int DigestHexLength = 64;

    /// <summary>Null when <paramref name="reference"/> is valid, else why not.</summary>
    public static string? Check(string reference)
    {
        if (reference.Length == 0)
        {
            return "must not be empty";
        }

        var (name, tag, digest) = Parse(reference);
        if (digest is not null && CheckDigest(digest) is { } digestError)
        {
            return digestError;
        }

        if (tag is not null && CheckTag(tag) is { } tagError)
        {
            return tagError;
        }

        return CheckName(name);
    }

    /// <summary>
    /// The <c>fromImage</c> and <c>tag</c> of Docker's <c>POST /images/create</c> for a valid reference:
    /// <c>dockerfile/nginx</c> is latest, <c>127.0.0.1:5000/app:1</c> is tag 1 (the colon before the last
    /// slash is a port), and <c>app@sha256:...</c> passes the digest as the tag, which the daemon accepts.
    /// </summary>
    public static (string Repository, string Tag) Split(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var (name, tag, digest) = Parse(reference);
        if (digest is not null)
        {
            return (tag is null ? name : $"{name}:{tag}", digest);
        }

        return (name, tag ?? "latest");
    }

    /// <summary>name [":" tag] ["@" digest]: the tag's colon is the first one after the last slash.</summary>
    private static (string Name, string? Tag, string? Digest) Parse(string reference)
    {
        var name = reference;
        string? digest = null;
        var at = reference.IndexOf('@');
        if (at >= 0)
        {
            digest = reference[(at + 1)..];
            name = reference[..at];
        }

        var lastSlash = name.LastIndexOf('/');
        var colon = name.IndexOf(':', lastSlash + 1);
        if (colon < 0)
        {
            return (name, null, digest);
        }

        return (name[..colon], name[(colon + 1)..], digest);
    }

    private static string? CheckDigest(string digest)
    {
        var hex = digest.StartsWith(DigestPrefix, StringComparison.Ordinal) ? digest[DigestPrefix.Length..] : null;
        return hex is { Length: DigestHexLength } && hex.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))
            ? null
            : $"digest must be sha256: followed by {DigestHexLength} lowercase hex digits";
    }

    private static string? CheckTag(string tag)
    {
        if (tag.Length == 0 || tag.Length > MaxTagLength)
        {
            return $"tag must be 1-{MaxTagLength} characters long";
        }

        if (!(char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_'))
        {
            return "tag must start with a letter, digit or '_'";
        }

        var bad = tag.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'));
        return bad == default ? null : $"tag must not contain {Text.QuoteChar(bad)}";
    }

    private static string? CheckName(string name)
    {
        if (name.Length == 0)
        {
            return "repository name must not be empty";
        }

        if (name.Length > MaxNameLength)
        {
            return $"repository name is {name.Length} characters long, at most {MaxNameLength} are allowed";
        }

        var parts = name.Split('/');
        var first = 0;
        if (parts.Length > 1 && IsDomain(parts[0]))
        {
            if (CheckDomain(parts[0]) is { } domainError)
            {
                return domainError;
            }

            first = 1;
        }

        for (var i = first; i < parts.Length; i++)
        {
            if (CheckComponent(parts[i]) is { } componentError)
            {
                return componentError;
            }
        }

        return null;
    }

    private static bool IsDomain(string part) =>
        part.Contains('.') || part.Contains(':') || part == "localhost" || part.Any(char.IsAsciiLetterUpper);

    private static string? CheckDomain(string domain)
    {
        var host = domain;
        string? port = null;
        if (domain.StartsWith('['))
        {
            var close = domain.IndexOf(']');
            var inside = close > 0 ? domain[1..close] : "";
            if (!IPAddress.TryParse(inside, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return $"registry {Text.Quote(domain)} has an invalid IPv6 address";
            }

            var rest = domain[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                return $"registry {Text.Quote(domain)} has text after the IPv6 address";
            }

            port = rest.Length > 0 ? rest[1..] : null;
            host = null;
        }
        else if (domain.IndexOf(':') is var colon and >= 0)
        {
            host = domain[..colon];
            port = domain[(colon + 1)..];
        }

        if (host is not null && !host.Split('.').All(IsDomainComponent))
        {
            return $"registry {Text.Quote(domain)} is not a valid host name";
        }

        if (port is not null && !(port.Length is > 0 and <= 5 && port.All(char.IsAsciiDigit) && int.Parse(port, CultureInfo.InvariantCulture) is > 0 and <= 65535))
        {
            return $"registry {Text.Quote(domain)} has an invalid port (1-65535)";
        }

        return null;
    }

    private static bool IsDomainComponent(string label) =>
        label.Length is > 0 and <= DnsLabel.MaxLength
        && char.IsAsciiLetterOrDigit(label[0])
        && char.IsAsciiLetterOrDigit(label[^1])
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static string? CheckComponent(string component)
    {
        if (component.Length == 0)
        {
            return "repository name must not contain an empty path component";
        }

        var quoted = Text.Quote(component);
        var foreign = component.FirstOrDefault(c => !(IsAlnum(c) || char.IsAsciiLetterUpper(c) || c is '.' or '_' or '-'));
        if (foreign != default)
        {
            return $"path component {quoted} must not contain {Text.QuoteChar(foreign)}";
        }

        if (component.Any(char.IsAsciiLetterUpper))
        {
            return $"path component {quoted} must be lowercase";
        }

        if (!IsAlnum(component[0]) || !IsAlnum(component[^1]))
        {
            return $"path component {quoted} must start and end with a lowercase letter or digit";
        }

        var i = 0;
        while (i < component.Length)
        {
            var c = component[i];
            if (IsAlnum(c))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < component.Length && !IsAlnum(component[i]))
            {
                i++;
            }

            var separator = component[start..i];
            if (!IsSeparator(separator))
            {
                return $"path component {quoted} has an invalid separator {Text.Quote(separator)} (use '.', '_', '__' or dashes)";
            }
        }

        return null;
    }

    private static bool IsSeparator(string separator) =>
        separator is "." or "_" or "__" || separator.All(c => c == '-');

    private static bool IsAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
