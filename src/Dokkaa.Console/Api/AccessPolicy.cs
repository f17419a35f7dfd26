using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dokkaa.WebConsole.Hosting;
using Microsoft.AspNetCore.Http;

namespace Dokkaa.WebConsole.Api;

/// <summary>What a request may do, before any endpoint runs.</summary>
internal enum AccessDecision
{
    Allowed,
    /// <summary>A write (or a read from another machine) without an Authorization header.</summary>
    TokenMissing,
    /// <summary>An Authorization header that is not <c>Bearer &lt;the token&gt;</c>.</summary>
    TokenWrong,
    /// <summary>A Host header that does not name a loopback address while the console listens on loopback only (DNS rebinding).</summary>
    HostRefused,
}

/// <summary>
/// Who may do what: writes (anything but GET and HEAD) always need the bearer token; reads are open to
/// clients on this machine and need the token from anywhere else; the page and the OpenAPI document hold no
/// cluster data and are open. On a loopback-only console the Host header must name loopback too, so a web page
/// whose DNS name was re-pointed at 127.0.0.1 cannot read the API through the operator's browser.
/// </summary>
internal sealed class AccessPolicy
{
    private readonly byte[] _token;
    private readonly bool _allowRemote;

    public AccessPolicy(string token, bool allowRemote)
    {
        _token = Encoding.UTF8.GetBytes(token);
        _allowRemote = allowRemote;
    }

    public static bool IsWrite(string method) => !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method));

    public AccessDecision Check(HttpContext context)
    {
        var request = context.Request;
        if (!_allowRemote && !IsLoopbackHost(request.Host))
            return AccessDecision.HostRefused;
        // Writes need the token whatever the path says (routing ignores case; this must not be the weaker one).
        if (!IsWrite(request.Method))
        {
            if (!request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
                return AccessDecision.Allowed;
            var remote = context.Connection.RemoteIpAddress;
            if (remote is not null && ListenAddress.IsLoopback(remote))
                return AccessDecision.Allowed;
        }

        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
            return AccessDecision.TokenMissing;
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return AccessDecision.TokenWrong;
        var given = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _token) ? AccessDecision.Allowed : AccessDecision.TokenWrong;
    }

    private static bool IsLoopbackHost(HostString host)
    {
        if (!host.HasValue)
            return true; // HTTP/1.0 without Host: no browser sends that, so no rebinding either.
        var name = host.Host.Trim('[', ']');
        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(name, out var address) && ListenAddress.IsLoopback(address);
    }
}
