using System.Management.Automation;
using Dokkaa.Core.EtcdAccess;
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

    /// <summary>etcd user and password (etcd auth); default <c>$env:DOKKAA_ETCD_USER</c> with its password variable or file.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>PEM client certificate for etcd's --client-cert-auth; needs -KeyPath. Default <c>$env:DOKKAA_ETCD_CERT</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of -CertificatePath (not readable by every user). Default <c>$env:DOKKAA_ETCD_KEY</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyPath { get; set; }

    /// <summary>PEM CA certificate that etcd's server certificates must be signed by. Default <c>$env:DOKKAA_ETCD_CA</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CaPath { get; set; }

    protected override void ProcessRecord()
    {
        var environment = EtcdConnectionSettings.FromEnvironment();
        var given = new EtcdConnectionSettings
        {
            CaFile = CaPath is null ? null : Resolve(CaPath),
            CertFile = CertificatePath is null ? null : Resolve(CertificatePath),
            KeyFile = KeyPath is null ? null : Resolve(KeyPath),
            Username = Credential?.UserName,
            Password = Credential?.GetNetworkCredential().Password,
        };
        var settings = environment with
        {
            Endpoints = Endpoint is { Length: > 0 } ? string.Join(",", Endpoint) : environment.Endpoints,
            CaFile = given.CaFile ?? environment.CaFile,
            CertFile = given.CertFile ?? environment.CertFile,
            KeyFile = given.KeyFile ?? environment.KeyFile,
        };
        if (Credential is not null)
            settings = settings with { Username = given.Username, Password = given.Password, PasswordFile = null };
        var names = ConnectionSettingNames.For(environment, given, Endpoint is { Length: > 0 } || EtcdEnvironment.Read(EtcdEnvironment.Endpoints) is null ? "-Endpoint" : null);

        DokkaaCluster cluster;
        try
        {
            cluster = DokkaaCluster.Create(settings.ToOptions(names), ClusterSource.Session, DateTimeOffset.Now);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            ThrowTerminatingError(ConnectionSettingError(e, settings.Endpoints));
            return;
        }

        try
        {
            var hosts = Run(ct => ClusterProbe.CheckAsync(cluster, ct));
            WriteVerbose($"{cluster} answers{(cluster.UserName is null ? "" : $" to user {cluster.UserName}")}; {hosts} live host(s)");
        }
        catch (DokkaaException e)
        {
            ThrowTerminatingError(ErrorFor(e, settings.Endpoints));
        }

        SessionConnections.Set(Session, cluster);
        WriteObject(cluster);
    }

    /// <summary>A path as PowerShell means it: relative to the current location, ~ expanded.</summary>
    private string Resolve(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
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
        var environment = EtcdEnvironment.Read(EtcdEnvironment.Endpoints);
        try
        {
            WriteObject(ClusterResolver.Resolve(null, SessionConnections.Get(Session), environment));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            WriteError(ConnectionSettingError(e, environment));
        }
    }
}
