using System.CommandLine;
using Dokkaa.Core.Operations;
using Dokkaa.Etcd;
using Dokkaa.WebConsole.CommandLine;

namespace Dokkaa.WebConsole.Hosting;

/// <summary><c>dokkaa console</c>: serve the web console and HTTP API until Ctrl+C.</summary>
public static class ConsoleCommand
{
    public const string TokenVariable = "DOKKAA_CONSOLE_TOKEN";

    /// <param name="etcd">The CLI's shared etcd flags (recursive, so the console takes them too).</param>
    public static Command Create(EtcdFlags etcd)
    {
        ArgumentNullException.ThrowIfNull(etcd);
        var listen = new Option<string>("--listen")
        {
            Description = "ADDRESS:PORT to serve on (an IP address or localhost). Loopback only unless --allow-remote.",
            DefaultValueFactory = _ => "127.0.0.1:8080",
        };
        var token = new Option<string?>("--token")
        {
            Description = $"Bearer token that changes need (default: ${TokenVariable}, else a random one printed at start).",
        };
        var allowRemote = new Option<bool>("--allow-remote")
        {
            Description = "Allow a non-loopback --listen address; reads then need the token too, unless they come from this machine addressed to localhost or a loopback address.",
        };
        var command = new Command("console", "Serve the web console and the HTTP API (see /openapi.json).") { listen, token, allowRemote };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var options = new ConsoleServerOptions
                {
                    Listen = ListenAddress.Parse(result.GetValue(listen)!),
                    AllowRemote = result.GetValue(allowRemote),
                    Token = result.GetValue(token) ?? NonEmpty(Environment.GetEnvironmentVariable(TokenVariable)),
                };
                // Refuse a bad address before touching etcd.
                ListenAddress.Check(options.Listen, options.AllowRemote);
                using var client = EtcdClients.Create(etcd.ToOptions(result));
                await using var server = await ConsoleServer.StartAsync(client, options, cancellationToken: ct).ConfigureAwait(false);
                Console.WriteLine($"Dokkaa console on {server.Url} (etcd {string.Join(",", client.Options.Endpoints)})");
                if (server.TokenGenerated)
                {
                    Console.WriteLine($"Token for changes (generated): {server.Token}");
                    Console.WriteLine($"Open {server.Url}#token={server.Token}");
                }
                else
                {
                    Console.WriteLine("Token for changes: as configured");
                }

                if (options.AllowRemote && !ListenAddress.IsLoopback(options.Listen.Address))
                    Console.WriteLine("Listening beyond loopback (--allow-remote): reads need the token too, unless from this machine to localhost or a loopback address; traffic is plain HTTP.");
                Console.Out.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                return 0;
            }
            catch (Exception e) when (e is ConsoleConfigurationException or DokkaaException or FormatException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"dokkaa: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
