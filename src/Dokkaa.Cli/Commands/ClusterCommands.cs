using System.CommandLine;
using System.Globalization;
using Dokkaa.Cli.Output;
using Dokkaa.Core.Units;

namespace Dokkaa.Cli.Commands;

/// <summary>ps, hosts, status, resolve, wait: what the cluster is doing.</summary>
public static class ClusterCommands
{
    public static Command Ps()
    {
        var app = new Option<string?>("--app") { Description = "App name or wildcard." };
        var name = new Option<string?>("--name") { Description = "Manifest name or wildcard." };
        var host = new Option<string?>("--host") { Description = "Host name or wildcard." };
        var command = new Command("ps", "List instances and where they run.") { app, name, host };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var containers = await ops.GetContainersAsync(result.GetValue(app), result.GetValue(name), result.GetValue(host), ct).ConfigureAwait(false);
            if (CliContext.Json(result))
            {
                Json.Write(Console.Out, containers);
                return 0;
            }

            Table.Write(Console.Out, new[] { "CONTAINER", "HOST", "ADDRESS", "STATE", "PORTS", "ERROR" }, containers.Select(c => (IReadOnlyList<string>)new[]
            {
                c.ContainerName, c.Host, c.Address, c.State.ToString().ToLowerInvariant(),
                string.Join(",", c.Ports.Select(p => $"{c.Address}:{p.Value}->{p.Key}")), c.Error ?? "",
            }));
            return 0;
        }));
        return command;
    }

    public static Command Hosts()
    {
        var command = new Command("hosts", "List live hosts.");
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var hosts = await ops.GetHostsAsync(cancellationToken: ct).ConfigureAwait(false);
            if (CliContext.Json(result))
            {
                Json.Write(Console.Out, hosts);
                return 0;
            }

            Table.Write(Console.Out, new[] { "HOST", "ADDRESS", "INSTANCES", "CAPACITY", "DRAINING", "VERSION", "STARTED" }, hosts.Select(h => (IReadOnlyList<string>)new[]
            {
                h.Name, h.Address, h.Instances.ToString(CultureInfo.InvariantCulture), h.Capacity == 0 ? "-" : h.Capacity.ToString(CultureInfo.InvariantCulture),
                h.Draining ? "yes" : "no", h.AgentVersion, h.StartedAt.ToString("u", CultureInfo.InvariantCulture),
            }));
            return 0;
        }));
        return command;
    }

    public static Command Status()
    {
        var app = new Option<string?>("--app") { Description = "App name or wildcard." };
        var name = new Option<string?>("--name") { Description = "Manifest name or wildcard." };
        var command = new Command("status", "Desired versus running, and the errors the agents report.") { app, name };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var statuses = await ops.GetStatusAsync(result.GetValue(app), result.GetValue(name), ct).ConfigureAwait(false);
            if (result.GetValue(app) is null && result.GetValue(name) is null)
            {
                foreach (var ignored in await ops.GetIgnoredKeysAsync(ct).ConfigureAwait(false))
                    Console.Error.WriteLine($"warning: ignored key {ignored.Key}: {ignored.Reason}");
            }

            if (CliContext.Json(result))
            {
                Json.Write(Console.Out, statuses);
                return 0;
            }

            Table.Write(Console.Out, new[] { "APP", "NAME", "DESIRED", "RUNNING", "PENDING", "OUTDATED", "ERRORS" }, statuses.Select(s => (IReadOnlyList<string>)new[]
            {
                s.App, s.Name, s.Desired.ToString(CultureInfo.InvariantCulture), s.Running.ToString(CultureInfo.InvariantCulture),
                s.Pending.ToString(CultureInfo.InvariantCulture), s.Outdated.ToString(CultureInfo.InvariantCulture), string.Join(" | ", s.Errors),
            }));
            return 0;
        }));
        return command;
    }

    public static Command Resolve()
    {
        var service = new Argument<string>("service") { Description = "Service name, e.g. nginx." };
        var app = new Option<string?>("--app") { Description = "Only this app." };
        var command = new Command("resolve", "Where a service runs: the endpoints DNS and the ambassador use.") { service, app };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var endpoints = await ops.ResolveAsync(result.GetValue(service)!, result.GetValue(app), ct).ConfigureAwait(false);
            if (endpoints.Count == 0)
            {
                var where = result.GetValue(app) is { } a ? $" in app {a}" : "";
                await Console.Error.WriteLineAsync($"dokkaa: No running instance provides service {result.GetValue(service)}{where}.").ConfigureAwait(false);
                return 1;
            }

            if (CliContext.Json(result))
            {
                Json.Write(Console.Out, endpoints);
                return 0;
            }

            Table.Write(Console.Out, new[] { "SERVICE", "APP", "NAME", "INSTANCE", "HOST", "ENDPOINT" }, endpoints.Select(e => (IReadOnlyList<string>)new[]
            {
                e.Service, e.App, e.Name, e.Instance.ToString(CultureInfo.InvariantCulture), e.Host, $"{e.Address}:{e.Port}",
            }));
            return 0;
        }));
        return command;
    }

    public static Command Wait()
    {
        var app = new Option<string>("--app") { Description = "App name.", Required = true };
        var name = new Option<string>("--name") { Description = "Manifest name.", Required = true };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long.", DefaultValueFactory = _ => "2m" };
        var command = new Command("wait", "Wait until the agents run the manifest as desired.") { app, name, timeout };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var limit = Durations.Parse(result.GetValue(timeout)!, "--timeout");
            var status = await ops.WaitForManifestAsync(result.GetValue(app)!, result.GetValue(name)!, limit, cancellationToken: ct).ConfigureAwait(false);
            Console.WriteLine($"{status.App}/{status.Name}: {status.Running}/{status.Desired} running");
            return 0;
        }));
        return command;
    }
}
