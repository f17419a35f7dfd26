using System.Net;

namespace Dokkaa.WebConsole.Hosting;

/// <summary>How a <see cref="ConsoleServer"/> listens and who may write.</summary>
public sealed record ConsoleServerOptions
{
    /// <summary>Where to listen; loopback unless <see cref="AllowRemote"/>. Port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = ListenAddress.Default;

    /// <summary>
    /// Allow a non-loopback <see cref="Listen"/> address, and Host names other than loopback ones. A read then needs the
    /// token too unless it comes from this machine addressed to localhost or a loopback address (see AccessPolicy).
    /// </summary>
    public bool AllowRemote { get; init; }

    /// <summary>The bearer token that writes need; null generates one (see <see cref="ConsoleServer.Token"/>).</summary>
    public string? Token { get; init; }

    /// <summary>How often the hosts' lease TTLs are read while someone watches the event stream (the heartbeat ages).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a write waits for the live view to catch up with it before answering (so a read right after sees it).</summary>
    public TimeSpan WriteVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
