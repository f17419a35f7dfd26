using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dokkaa.WebConsole.Api;
using Microsoft.AspNetCore.Http;

namespace Dokkaa.WebConsole.Hosting;

/// <summary>What a request may do, before any endpoint runs.</summary>
internal enum AccessDecision
{
    Allowed,
    /// <summary>A write, or a read that is not from this machine to a loopback name, without an Authorization header.</summary>
    TokenMissing,
    /// <summary>An Authorization header that is not <c>Bearer &lt;the token&gt;</c>.</summary>
    TokenWrong,
    /// <summary>A Host header that does not name a loopback address while the console listens on loopback only (DNS rebinding).</summary>
    HostRefused,
}

/// <summary>
/// Who may do what: writes (anything but GET and HEAD) always need the bearer token; the page and the OpenAPI
/// document hold no cluster data and are open; a read goes without the token only when a loopback-only console
/// would answer it too: from a peer on this machine, addressed to localhost or a loopback address. Any other read
/// needs the token. The Host check is what stops DNS rebinding: a web page whose DNS name was re-pointed at
/// 127.0.0.1 reaches the console from this machine through the operator's browser, but with its own name as Host.
/// On a loopback-only console such a request is refused outright (400); with --allow-remote the console may be
/// reached by any name, so it is answered, but only with the token (which that page cannot know).
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
        var loopbackHost = IsLoopbackHost(request.Host);
        if (!_allowRemote && !loopbackHost)
            return AccessDecision.HostRefused;
        // Writes need the token whatever the path says (routing ignores case; this must not be the weaker one).
        if (!IsWrite(request.Method))
        {
            if (!request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
                return AccessDecision.Allowed;
            var remote = context.Connection.RemoteIpAddress;
            if (loopbackHost && remote is not null && ListenAddress.IsLoopback(remote))
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

    /// <summary>What a request the policy refuses is answered with.</summary>
    public static Problem Refusal(AccessDecision decision) => decision switch
    {
        AccessDecision.TokenWrong => new Problem(Problems.TypeOf("DokkaaUnauthorized"), "Wrong token", StatusCodes.Status401Unauthorized,
            "The bearer token is not this console's token; nothing was changed.", "DokkaaUnauthorized"),
        AccessDecision.HostRefused => new Problem(Problems.TypeOf("DokkaaHostRefused"), "Host not allowed", StatusCodes.Status400BadRequest,
            "This console listens on loopback only and answers only requests addressed to localhost or a loopback address.", "DokkaaHostRefused"),
        _ => new Problem(Problems.TypeOf("DokkaaUnauthorized"), "Token required", StatusCodes.Status401Unauthorized,
            "Changes, and reads from another machine or addressed to a name other than localhost, need 'Authorization: Bearer <token>'; the token was printed when the console started. Nothing was changed.", "DokkaaUnauthorized"),
    };
}
