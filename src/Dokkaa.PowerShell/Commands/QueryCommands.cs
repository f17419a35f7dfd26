using System.Management.Automation;
using Dokkaa.Core.Discovery;
using Dokkaa.Core.Operations;

namespace Dokkaa.PowerShell.Commands;

/// <summary>Get-DokkaaContainer: the instances the cluster runs, where, and in what state.</summary>
[Cmdlet(VerbsCommon.Get, "DokkaaContainer", HelpUri = HelpUris.Base + "Get-DokkaaContainer.md")]
[OutputType(typeof(ContainerInfo))]
public sealed class GetDokkaaContainerCommand : DokkaaClusterCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string? App { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NameCompleter))]
    public string? Name { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(HostCompleter))]
    public string? HostName { get; set; }

    protected override void ProcessRecord()
    {
        Attempt($"{App ?? "*"}/{Name ?? "*"}", () =>
        {
            var containers = Run(ct => Operations.GetContainersAsync(App, Name, HostName, ct));
            WriteObject(containers, enumerateCollection: true);
            WriteNotFoundIfLiteral(containers.Count, ErrorIds.ContainerNotFound, "instance", (nameof(App), App), (nameof(Name), Name), (nameof(HostName), HostName));
        });
    }
}

/// <summary>Get-DokkaaHost: the live hosts and how much each runs.</summary>
[Cmdlet(VerbsCommon.Get, "DokkaaHost", HelpUri = HelpUris.Base + "Get-DokkaaHost.md")]
[OutputType(typeof(HostInfo))]
public sealed class GetDokkaaHostCommand : DokkaaClusterCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(HostCompleter))]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        Attempt(Name ?? "*", () =>
        {
            var hosts = Run(ct => Operations.GetHostsAsync(Name, ct));
            WriteObject(hosts, enumerateCollection: true);
            WriteNotFoundIfLiteral(hosts.Count, ErrorIds.For(DokkaaErrorKind.HostNotFound), "live host", (nameof(Name), Name));
        });
    }
}

/// <summary>Get-DokkaaStatus: what the agents report for each manifest (desired, running, pending, outdated, errors).</summary>
[Cmdlet(VerbsCommon.Get, "DokkaaStatus", HelpUri = HelpUris.Base + "Get-DokkaaStatus.md")]
[OutputType(typeof(ManifestStatusInfo))]
public sealed class GetDokkaaStatusCommand : DokkaaClusterCmdlet
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
            var statuses = Run(ct => Operations.GetStatusAsync(App, Name, ct));
            if (App is null && Name is null)
            {
                // Keys the agents ignore have no status of their own; a warning keeps them from going unnoticed.
                foreach (var ignored in Run(ct => Operations.GetIgnoredKeysAsync(ct)))
                    WriteWarning($"Ignored key {ignored.Key}: {ignored.Reason}");
            }

            WriteObject(statuses, enumerateCollection: true);
            WriteNotFoundIfLiteral(statuses.Count, ErrorIds.StatusNotFound, "manifest status", (nameof(App), App), (nameof(Name), Name));
        });
    }
}

/// <summary>Resolve-DokkaaService: the endpoints (host address and port) of a service, like Resolve-DnsName.</summary>
[Cmdlet(VerbsDiagnostic.Resolve, "DokkaaService", HelpUri = HelpUris.Base + "Resolve-DokkaaService.md")]
[OutputType(typeof(ServiceEndpoint))]
public sealed class ResolveDokkaaServiceCommand : DokkaaClusterCmdlet
{
    /// <summary><c>nginx</c>, or <c>nginx.shop</c> for service nginx of app shop.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    public string Service { get; set; } = "";

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(AppCompleter))]
    public string? App { get; set; }

    protected override void ProcessRecord()
    {
        var (service, app) = ServiceName.Parse(Service, App);
        Attempt(Service, () =>
        {
            var endpoints = Run(ct => Operations.ResolveAsync(service, app, ct));
            if (endpoints.Count == 0)
            {
                var where = app is null ? "any app" : $"app {app}";
                WriteError(Error(new ItemNotFoundException($"No running instance provides service {service} in {where}."), ErrorIds.ServiceNotFound, "ObjectNotFound", Service));
                return;
            }

            WriteObject(endpoints, enumerateCollection: true);
        });
    }
}
