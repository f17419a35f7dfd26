using System.CommandLine;
using System.Globalization;
using Dokkaa.Cli.Output;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;

namespace Dokkaa.Cli.Commands;

/// <summary>apply, get, rm, scale: the desired state.</summary>
public static class ManifestCommands
{
    public static Command Apply()
    {
        var file = new Option<string>("--file", "-f") { Description = "Manifest JSON file, or - for standard input.", Required = true };
        var app = new Option<string>("--app") { Description = "App name.", Required = true };
        var name = new Option<string?>("--name") { Description = "Manifest name (default: the file name without .json)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and show what would change; write nothing." };
        var command = new Command("apply", "Validate a manifest and write it to the cluster.") { file, app, name, dryRun };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var path = result.GetValue(file)!;
            var json = path == "-" ? await Console.In.ReadToEndAsync(ct).ConfigureAwait(false) : await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            var manifestName = result.GetValue(name) ?? (path == "-" ? throw new ArgumentException("--name is required when the manifest comes from standard input") : Path.GetFileNameWithoutExtension(path));
            var manifest = ClusterOperations.ParseManifest(json);
            var appName = result.GetValue(app)!;
            if (result.GetValue(dryRun))
            {
                // The line Set-DokkaaManifest -WhatIf shows for the same write.
                var plan = await ops.PlanSetManifestAsync(appName, manifestName, manifest, ct).ConfigureAwait(false);
                Console.WriteLine($"{plan.Target}: {plan.Action} (dry run, nothing written)");
                Console.WriteLine(ManifestSerializer.ToJson(manifest, indented: true));
                return 0;
            }

            var change = await ops.SetManifestAsync(appName, manifestName, manifest, cancellationToken: ct).ConfigureAwait(false);
            Console.WriteLine($"{change.App}/{change.Name}: {change.Kind.ToString().ToLowerInvariant()} (revision {change.Revision})");
            return 0;
        }));
        return command;
    }

    public static Command Get()
    {
        var app = new Option<string?>("--app") { Description = "App name or wildcard." };
        var name = new Option<string?>("--name") { Description = "Manifest name or wildcard." };
        var command = new Command("get", "Show manifests.") { app, name };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var manifests = await ops.GetManifestsAsync(result.GetValue(app), result.GetValue(name), ct).ConfigureAwait(false);
            if (CliContext.Json(result))
            {
                Json.Write(Console.Out, manifests.Select(m => new { m.App, m.Name, m.Revision, m.IsValid, Errors = m.Errors.Select(e => e.ToString()), Manifest = m.Manifest is null ? (System.Text.Json.JsonElement?)null : System.Text.Json.JsonDocument.Parse(ManifestSerializer.ToCanonicalJson(m.Manifest)).RootElement }));
                return 0;
            }

            Table.Write(Console.Out, new[] { "APP", "NAME", "IMAGE", "SCALE", "SERVICES", "LINKS", "HTTP", "REVISION" }, manifests.Select(m => (IReadOnlyList<string>)(m.Manifest is { } x
                ? new[] { m.App, m.Name, x.Image, x.Scale.ToString(CultureInfo.InvariantCulture), string.Join(",", x.Services.Select(s => $"{s.Key}:{s.Value.Port}")), string.Join(",", x.Links), x.Http is null ? "" : $"{x.Http.Host}:{x.Http.Port}", m.Revision.ToString(CultureInfo.InvariantCulture) }
                : new[] { m.App, m.Name, "INVALID: " + string.Join("; ", m.Errors), "", "", "", "", m.Revision.ToString(CultureInfo.InvariantCulture) })));
            return 0;
        }));
        return command;
    }

    public static Command Remove()
    {
        var app = new Option<string?>("--app") { Description = "App name." };
        var name = new Option<string?>("--name") { Description = "Manifest name." };
        var key = new Option<string?>("--key") { Description = "A key under /apps/ that the agents ignore (dokkaa status lists them), instead of --app and --name." };
        var command = new Command("rm", "Delete a manifest; the agents stop and remove all its containers.") { app, name, key };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            if (result.GetValue(key) is not null && (result.GetValue(app) is not null || result.GetValue(name) is not null))
                throw new DokkaaException(DokkaaErrorKind.NameInvalid, "Give either --key or --app and --name, not both.");
            if (result.GetValue(key) is null && (result.GetValue(app) is null || result.GetValue(name) is null))
                throw new DokkaaException(DokkaaErrorKind.NameInvalid, "Give --app and --name (or --key for a key the agents ignore).");
            if (result.GetValue(key) is { } ignored)
            {
                await ops.RemoveIgnoredKeyAsync(ignored, ct).ConfigureAwait(false);
                Console.WriteLine($"{ignored}: removed");
                return 0;
            }

            await ops.RemoveManifestAsync(result.GetValue(app)!, result.GetValue(name)!, ct).ConfigureAwait(false);
            Console.WriteLine($"{result.GetValue(app)}/{result.GetValue(name)}: removed");
            return 0;
        }));
        return command;
    }

    public static Command Scale()
    {
        var app = new Option<string>("--app") { Description = "App name.", Required = true };
        var name = new Option<string>("--name") { Description = "Manifest name.", Required = true };
        var scale = new Argument<int>("scale") { Description = "Number of instances (0 keeps the manifest and runs nothing)." };
        var command = new Command("scale", "Change the number of instances of a manifest.") { app, name, scale };
        command.SetAction((result, ct) => CliContext.RunAsync(result, async ops =>
        {
            var change = await ops.ScaleAsync(result.GetValue(app)!, result.GetValue(name)!, result.GetValue(scale), ct).ConfigureAwait(false);
            Console.WriteLine($"{change.App}/{change.Name}: scale {change.Previous?.Scale} -> {change.Manifest.Scale} ({change.Kind.ToString().ToLowerInvariant()})");
            return 0;
        }));
        return command;
    }
}
