using System.Management.Automation;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell.Commands;

/// <summary>Connect-DokkaaCluster: checks that a cluster answers and makes it the session's default.</summary>
[Cmdlet(VerbsCommunications.Connect, "DokkaaCluster", HelpUri = HelpUris.Base + "Connect-DokkaaCluster.md")]
[OutputType(typeof(DokkaaCluster))]
public sealed class ConnectDokkaaClusterCommand : DokkaaCmdlet
{
    /// <summary>etcd client URLs; default <c>$env:DOKKAA_ETCD</c>, else http://127.0.0.1:2379.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Endpoint { get; set; }

    protected override void ProcessRecord()
    {
        var endpoints = Endpoint is { Length: > 0 }
            ? string.Join(",", Endpoint)
            : ClusterResolver.DefaultEndpoints(Environment.GetEnvironmentVariable(DokkaaCluster.EnvironmentVariable));
        DokkaaCluster cluster;
        try
        {
            cluster = DokkaaCluster.Create(endpoints, ClusterSource.Session, DateTimeOffset.Now);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            ThrowTerminatingError(Error(e, ErrorIds.EndpointInvalid, "InvalidArgument", endpoints));
            return;
        }

        try
        {
            var hosts = Run(ct => ClusterProbe.CheckAsync(cluster, ct));
            WriteVerbose($"{cluster} answers; {hosts} live host(s)");
        }
        catch (DokkaaException e)
        {
            ThrowTerminatingError(ErrorFor(e, endpoints));
        }

        SessionConnections.Set(Session, cluster);
        WriteObject(cluster);
    }
}

/// <summary>Disconnect-DokkaaCluster: forgets the session's default cluster.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "DokkaaCluster", HelpUri = HelpUris.Base + "Disconnect-DokkaaCluster.md")]
[OutputType(typeof(DokkaaCluster))]
public sealed class DisconnectDokkaaClusterCommand : DokkaaCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var removed = SessionConnections.Remove(Session);
        WriteVerbose(removed is null ? "No cluster was connected in this session." : $"Disconnected from {removed}.");
        if (PassThru && removed is not null)
            WriteObject(removed);
    }
}

/// <summary>Get-DokkaaCluster: the cluster the cmdlets use now, and where that choice came from.</summary>
[Cmdlet(VerbsCommon.Get, "DokkaaCluster", HelpUri = HelpUris.Base + "Get-DokkaaCluster.md")]
[OutputType(typeof(DokkaaCluster))]
public sealed class GetDokkaaClusterCommand : DokkaaCmdlet
{
    protected override void ProcessRecord()
    {
        var environment = Environment.GetEnvironmentVariable(DokkaaCluster.EnvironmentVariable);
        try
        {
            WriteObject(ClusterResolver.Resolve(null, SessionConnections.Get(Session), environment));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            WriteError(Error(e, ErrorIds.EndpointInvalid, "InvalidArgument", environment));
        }
    }
}
