using System.Globalization;
using System.Net;

namespace Dokkaa.WebConsole.Hosting;

/// <summary>
/// Where the console listens. Only IP literals and <c>localhost</c> are accepted (a host name could resolve to
/// anything), and a non-loopback address is refused unless the operator asked for it explicitly: the API can
/// change the cluster, so it must never become reachable from other machines by accident.
/// </summary>
public static class ListenAddress
{
    /// <summary>The default: loopback only.</summary>
    public static IPEndPoint Default => new(IPAddress.Loopback, 8080);

    /// <summary>Parses <c>127.0.0.1:8080</c>, <c>[::1]:8080</c>, <c>localhost:8080</c> or <c>0.0.0.0:8080</c>.</summary>
    /// <exception cref="FormatException">Not an IP address (or localhost) and a port.</exception>
    public static IPEndPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) &&
            int.TryParse(trimmed["localhost:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var localPort) &&
            localPort <= IPEndPoint.MaxPort)
            return new IPEndPoint(IPAddress.Loopback, localPort);

        // IPEndPoint.TryParse takes "1.2.3.4" without a port as port 0; a port is required here.
        var hasPort = trimmed.StartsWith('[') ? trimmed.Contains("]:", StringComparison.Ordinal) : trimmed.Count(c => c == ':') == 1;
        if (!hasPort || !IPEndPoint.TryParse(trimmed, out var endpoint))
            throw new FormatException($"--listen '{text}' is not ADDRESS:PORT with an IP address (e.g. 127.0.0.1:8080, [::1]:8080, localhost:8080).");
        return endpoint;
    }

    /// <summary>True for 127.0.0.0/8, ::1 and their IPv4-mapped forms.</summary>
    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Throws unless the address is loopback or remote access was asked for.</summary>
    /// <exception cref="ConsoleConfigurationException">A non-loopback address without <paramref name="allowRemote"/>.</exception>
    public static void Check(IPEndPoint endpoint, bool allowRemote)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!allowRemote && !IsLoopback(endpoint.Address))
        {
            throw new ConsoleConfigurationException(
                $"refusing to listen on {endpoint}: it is not a loopback address, so the console and its API would be reachable from other machines. " +
                "Pass --allow-remote to do that on purpose (reads then need the token too, unless from this machine to localhost or a loopback address).");
        }
    }
}

/// <summary>The console cannot start with these settings; the message says why, in one line.</summary>
public sealed class ConsoleConfigurationException : Exception
{
    public ConsoleConfigurationException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
