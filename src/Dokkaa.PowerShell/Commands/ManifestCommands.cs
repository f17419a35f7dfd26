using System.Collections;
using System.Management.Automation;
using Dokkaa.Core.Manifests;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell.Commands;

/// <summary>New-DokkaaManifest: builds and validates a manifest offline.</summary>
[Cmdlet(VerbsCommon.New, "DokkaaManifest", HelpUri = HelpUris.Base + "New-DokkaaManifest.md")]
[OutputType(typeof(Manifest))]
public sealed class NewDokkaaManifestCommand : DokkaaCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public string Image { get; set; } = "";

    [Parameter]
    public int Scale { get; set; } = 1;

    /// <summary>Service name to container port (<c>@{ nginx = 80 }</c>) or to a port object (<c>@{ dns = @{ port = 53; protocol = 'udp' } }</c>).</summary>
    [Parameter]
    public IDictionary? Service { get; set; }

    [Parameter]
    public string[]? Link { get; set; }

    [Parameter]
    public string[]? Command { get; set; }

    [Parameter]
    public IDictionary? Env { get; set; }

    [Parameter]
    public string? HttpHost { get; set; }

    [Parameter]
    public int HttpPort { get; set; }

    [Parameter]
    public SwitchParameter Exclusive { get; set; }

    /// <summary>Host labels an instance needs (<c>@{ zone = 'eu-1' }</c>).</summary>
    [Parameter]
    public IDictionary? Constraint { get; set; }

    /// <summary>CPU cores per instance, in steps of 0.001.</summary>
    [Parameter]
    public decimal Cpus { get; set; }

    /// <summary>Memory per instance: bytes, or text with k, m or g (<c>256m</c>).</summary>
    [Parameter]
    public string? Memory { get; set; }

    protected override void ProcessRecord()
    {
        // What was given, by name: ManifestSchema says which field each parameter sets.
        var bound = MyInvocation.BoundParameters.ToDictionary<KeyValuePair<string, object>, string, object?>(
            p => p.Key,
            p => p.Value is SwitchParameter flag ? flag.IsPresent : p.Value,
            StringComparer.OrdinalIgnoreCase);
        var result = ManifestParameters.Build(bound, Unwrap);
        if (result.IsValid)
        {
            WriteObject(result.Manifest);
            return;
        }

        var invalid = new ManifestValidationException(result.Errors);
        WriteError(ErrorFor(new DokkaaException(DokkaaErrorKind.ManifestInvalid, invalid.Message, invalid), Image));
    }
}

/// <summary>Test-DokkaaManifest: validates manifests offline; errors name the field.</summary>
[Cmdlet(VerbsDiagnostic.Test, "DokkaaManifest", DefaultParameterSetName = InputObjectSet, HelpUri = HelpUris.Base + "Test-DokkaaManifest.md")]
[OutputType(typeof(bool), typeof(ManifestTestResult))]
public sealed class TestDokkaaManifestCommand : DokkaaCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [AllowNull]
    public object? InputObject { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        var inputs = ParameterSetName == PathSet ? Files.Resolve(this, Path) : new[] { InputObject };
        foreach (var input in inputs)
        {
            var result = ManifestInput.Test(input, Unwrap);
            if (Detailed)
            {
                WriteObject(result);
                continue;
            }

            if (!result.IsValid)
            {
                var invalid = new ManifestValidationException(result.Errors);
                WriteError(ErrorFor(new DokkaaException(DokkaaErrorKind.ManifestInvalid, $"{result.Origin}: {invalid.Message}", invalid), input));
            }

            WriteObject(result.IsValid);
        }
    }
}

/// <summary>Set-DokkaaManifest: validates a manifest and writes it to the cluster.</summary>
[Cmdlet(VerbsCommon.Set, "DokkaaManifest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet, HelpUri = HelpUris.Base + "Set-DokkaaManifest.md")]
[OutputType(typeof(ManifestChange))]
public sealed class SetDokkaaManifestCommand : DokkaaClusterCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public object? InputObject { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string? App { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var inputs = ParameterSetName == PathSet ? Files.Resolve(this, Path) : new[] { InputObject };
        foreach (var input in inputs)
        {
            Attempt(input, () =>
            {
                var source = ManifestInput.Convert(input, Unwrap);
                var (app, name) = ManifestTarget.Resolve(App, Name, source);
                var plan = Run(ct => ManifestWrites.PlanSetAsync(Operations, app, name, source.Manifest, ct));
                if (!ShouldProcess(plan.Target, plan.Action))
                    return;
                var change = Run(ct => ManifestWrites.ExecuteAsync(Operations, plan, ct));
                WriteVerbose($"{plan.Target}: {change.Kind} at revision {change.Revision}");
                if (PassThru)
                    WriteObject(change);
            });
        }
    }
}

/// <summary>Get-DokkaaManifest: manifests by app and name, with wildcards.</summary>
[Cmdlet(VerbsCommon.Get, "DokkaaManifest", HelpUri = HelpUris.Base + "Get-DokkaaManifest.md")]
[OutputType(typeof(ManifestInfo))]
public sealed class GetDokkaaManifestCommand : DokkaaClusterCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string? App { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        Attempt($"{App ?? "*"}/{Name ?? "*"}", () =>
        {
            var manifests = Run(ct => ManifestWrites.GetAsync(Operations, App, Name, ct));
            foreach (var manifest in manifests)
            {
                if (!manifest.IsValid)
                    WriteWarning($"Manifest {manifest.App}/{manifest.Name} in etcd is invalid: {string.Join("; ", manifest.Errors)}");
                WriteObject(manifest);
            }

            WriteNotFoundIfLiteral(manifests.Count, ErrorIds.For(DokkaaErrorKind.ManifestNotFound), "manifest", (nameof(App), App), (nameof(Name), Name));
        });
    }
}

/// <summary>Update-DokkaaManifest: changes part of a manifest (scale, image, env), guarded against concurrent edits.</summary>
[Cmdlet(VerbsData.Update, "DokkaaManifest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet, HelpUri = HelpUris.Base + "Update-DokkaaManifest.md")]
[OutputType(typeof(ManifestChange))]
public sealed class UpdateDokkaaManifestCommand : DokkaaClusterCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string App { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public ManifestInfo? InputObject { get; set; }

    [Parameter]
    public int Scale { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Image { get; set; }

    /// <summary>Variables to set; a <c>$null</c> value removes the variable.</summary>
    [Parameter]
    public IDictionary? Env { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private ManifestEdit Edit => new(
        MyInvocation.BoundParameters.ContainsKey(nameof(Scale)) ? Scale : null,
        Image,
        Env);

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Edit.IsEmpty)
        {
            ThrowTerminatingError(Error(new PSArgumentException("Nothing to update: give -Scale, -Image or -Env."), ErrorIds.NothingToUpdate, "InvalidArgument", null));
        }
    }

    protected override void ProcessRecord()
    {
        var (app, name) = InputObject is { } info ? (info.App, info.Name) : (App, Name);
        Attempt($"{app}/{name}", () =>
        {
            var plan = Run(ct => ManifestWrites.PlanUpdateAsync(Operations, app, name, InputObject, Edit, Unwrap, ct));
            if (!ShouldProcess(plan.Target, plan.Action))
                return;
            var change = Run(ct => ManifestWrites.ExecuteAsync(Operations, plan, ct));
            WriteVerbose($"{plan.Target}: {change.Kind} at revision {change.Revision}");
            if (PassThru)
                WriteObject(change);
        });
    }
}

/// <summary>Remove-DokkaaManifest: deletes a manifest; the agents then stop and remove its containers.</summary>
[Cmdlet(VerbsCommon.Remove, "DokkaaManifest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet, HelpUri = HelpUris.Base + "Remove-DokkaaManifest.md")]
[OutputType(typeof(ManifestInfo))]
public sealed class RemoveDokkaaManifestCommand : DokkaaClusterCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string App { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public ManifestInfo? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var target = InputObject is { } info ? $"{info.App}/{info.Name}" : $"{App}/{Name}";
        Attempt(target, () =>
        {
            var plan = InputObject is { } piped ? new ManifestRemovePlan(piped) : Run(ct => ManifestWrites.PlanRemoveAsync(Operations, App, Name, ct));
            if (!ShouldProcess(plan.Target, plan.Action))
                return;
            Run(ct => ManifestWrites.ExecuteAsync(Operations, plan, ct));
            WriteVerbose($"{plan.Target}: removed");
            if (PassThru)
                WriteObject(plan.Current);
        });
    }
}

/// <summary>Wait-DokkaaManifest: waits until the agents run the manifest as desired.</summary>
[Cmdlet(VerbsLifecycle.Wait, "DokkaaManifest", DefaultParameterSetName = InputObjectSet, HelpUri = HelpUris.Base + "Wait-DokkaaManifest.md")]
[OutputType(typeof(ManifestStatusInfo))]
public sealed class WaitDokkaaManifestCommand : DokkaaClusterCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";
    private const int ActivityId = 1;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string App { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public ManifestInfo? InputObject { get; set; }

    /// <summary>How long to wait before failing with DokkaaTimeout: a TimeSpan, seconds, or text such as <c>90s</c>, <c>2m</c>, <c>1h</c>.</summary>
    [Parameter]
    [DurationTransformation]
    [ValidatePositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    protected override void ProcessRecord()
    {
        var (app, name) = InputObject is { } info ? (info.App, info.Name) : (App, Name);
        Attempt($"{app}/{name}", () =>
        {
            ManifestTarget.Validate(app, name);
            var activity = WaitProgress.Activity(app, name);
            try
            {
                var status = Run((post, ct) => Operations.WaitForManifestAsync(
                    app, name, Timeout,
                    new PipelineProgress<ManifestStatusInfo>(post, s => WriteProgress(new ProgressRecord(ActivityId, activity, WaitProgress.Status(s)) { PercentComplete = WaitProgress.Percent(s) })),
                    ct));
                WriteObject(status);
            }
            finally
            {
                if (!Cancellation.IsCancellationRequested)
                    WriteProgress(new ProgressRecord(ActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        });
    }
}

/// <summary>Turns -Path arguments into files, with PowerShell's path rules (wildcards, relative to the current location).</summary>
internal static class Files
{
    public static IReadOnlyList<object?> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths)
    {
        var files = new List<object?>();
        foreach (var path in paths)
        {
            try
            {
                foreach (var resolved in cmdlet.GetResolvedProviderPathFromPSPath(path, out var provider))
                {
                    if (provider.Name != "FileSystem")
                    {
                        cmdlet.WriteError(new ErrorRecord(new PSArgumentException($"{path} is not a file system path."), "DokkaaPathNotFileSystem", ErrorCategory.InvalidArgument, path));
                        continue;
                    }

                    files.Add(new FileInfo(resolved));
                }
            }
            catch (ItemNotFoundException e)
            {
                cmdlet.WriteError(new ErrorRecord(e.ErrorRecord, e));
            }
        }

        return files;
    }
}
