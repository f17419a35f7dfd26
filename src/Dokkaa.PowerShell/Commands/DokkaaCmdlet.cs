using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Dokkaa.Core.EtcdAccess;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell.Commands;

/// <summary>
/// What every Dokkaa cmdlet shares: asynchronous work run with <see cref="PipelinePump"/> (so Write* only
/// happens on the pipeline thread), Ctrl+C through <see cref="StopProcessing"/>, and Dokkaa failures as
/// ErrorRecords with their specific ErrorId and category.
/// </summary>
public abstract class DokkaaCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The PowerShell session this cmdlet runs in (the key of its Connect-DokkaaCluster choice).</summary>
    internal static object? Session => Runspace.DefaultRunspace;

    protected CancellationToken Cancellation => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Runs <paramref name="work"/> to completion, pumping what it posts onto this (the pipeline) thread.</summary>
    protected T Run<T>(Func<IPipelinePost, CancellationToken, Task<T>> work)
    {
        try
        {
            return PipelinePump.Run(work, Cancellation);
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    protected T Run<T>(Func<CancellationToken, Task<T>> work) => Run((_, ct) => work(ct));

    protected void Run(Func<CancellationToken, Task> work) => Run(async (_, ct) =>
    {
        await work(ct).ConfigureAwait(false);
        return true;
    });

    /// <summary>Runs one item's work; a Dokkaa failure becomes a non-terminating error about <paramref name="target"/>.</summary>
    protected void Attempt(object? target, Action body)
    {
        try
        {
            body();
        }
        catch (DokkaaException e)
        {
            WriteError(ErrorFor(e, target));
        }
    }

    /// <summary>
    /// Get-Item's rule for a Get- cmdlet that found nothing: a name without wildcards names something that
    /// should exist, so its absence is an ObjectNotFound error; a wildcard that matches nothing is silence.
    /// Filters that were not given are ignored.
    /// </summary>
    protected void WriteNotFoundIfLiteral(int found, string errorId, string what, params (string Parameter, string? Value)[] filters)
    {
        var given = filters.Where(f => f.Value is not null).ToList();
        if (found > 0 || given.Count == 0 || given.Any(f => WildcardPattern.ContainsWildcardCharacters(f.Value)))
            return;
        var criteria = string.Join(" ", given.Select(f => $"-{f.Parameter} '{f.Value}'"));
        WriteError(Error(new ItemNotFoundException($"No {what} matches {criteria}."), errorId, "ObjectNotFound", string.Join("/", given.Select(f => f.Value))));
    }

    protected static ErrorRecord ErrorFor(DokkaaException exception, object? target) =>
        Error(exception, exception.ErrorId, ErrorIds.CategoryOf(exception.Kind), target);

    /// <summary>A cluster that cannot be used as given: a bad endpoint, or a TLS or credential setting (with its own ErrorId).</summary>
    protected static ErrorRecord ConnectionSettingError(Exception exception, object? target)
    {
        var errorId = exception is EtcdSettingsException setting ? ErrorIds.For(setting.Problem) : ErrorIds.EndpointInvalid;
        return Error(exception, errorId, ErrorIds.All[errorId], target);
    }

    protected static ErrorRecord Error(Exception exception, string errorId, string category, object? target) =>
        new(exception, errorId, Enum.Parse<ErrorCategory>(category), target);

    /// <summary>Lets PowerShell's own Unwrap of PSObject run inside the PowerShell-free input code.</summary>
    protected static object? Unwrap(object value) => PSInput.Unwrap(value);

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A cmdlet that talks to a cluster: <c>-Cluster</c>, else the session's, else <c>$env:DOKKAA_ETCD</c>, else the default.</summary>
public abstract class DokkaaClusterCmdlet : DokkaaCmdlet
{
    private DokkaaCluster? _resolved;

    /// <summary>The cluster to use instead of the session's (an object from Connect-/Get-DokkaaCluster, or endpoint URLs).</summary>
    [Parameter]
    [ValidateNotNull]
    public DokkaaCluster? Cluster { get; set; }

    /// <summary>
    /// Resolves the cluster once per invocation, here on the pipeline thread: the verbose line about where
    /// it came from may only be written on this thread, and the work that <see cref="DokkaaCmdlet.Run{T}(Func{CancellationToken, Task{T}})"/>
    /// hands to the thread pool must find it already resolved.
    /// </summary>
    protected override void BeginProcessing()
    {
        var environment = EtcdEnvironment.Read(EtcdEnvironment.Endpoints);
        try
        {
            _resolved = ClusterResolver.Resolve(Cluster, SessionConnections.Get(Session), environment);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            ThrowTerminatingError(ConnectionSettingError(e, environment));
        }

        WriteVerbose($"Cluster {_resolved} (from {Describe(_resolved!.Source)})");
    }

    protected DokkaaCluster ResolvedCluster =>
        _resolved ?? throw new InvalidOperationException($"{GetType().Name} used the cluster before BeginProcessing resolved it.");

    protected ClusterOperations Operations => ResolvedCluster.Operations;

    private static string Describe(ClusterSource source) => source switch
    {
        ClusterSource.Parameter => "-Cluster",
        ClusterSource.Session => "Connect-DokkaaCluster",
        ClusterSource.Environment => "$env:" + DokkaaCluster.EnvironmentVariable,
        _ => "the default",
    };
}

/// <summary>Unwraps PowerShell's wrappers for <see cref="ManifestInput"/>, which knows no PowerShell types.</summary>
internal static class PSInput
{
    public static object? Unwrap(object? value) => value switch
    {
        PSObject { BaseObject: PSCustomObject } custom => custom.Properties
            .Where(p => p.IsGettable)
            .Select(p => new KeyValuePair<string, object?>(p.Name, p.Value))
            .ToList(),
        PSObject wrapped => wrapped.BaseObject,
        _ => value,
    };
}
