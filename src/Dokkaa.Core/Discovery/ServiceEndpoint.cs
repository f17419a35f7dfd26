using System.Text.Json.Serialization;
using Dokkaa.Core.Cluster;

namespace Dokkaa.Core.Discovery;

/// <summary>
/// Where one running instance provides a service: the host address and the published host port.
/// The same answer DNS gives for <c>_nginx._tcp.dummy.container</c> and the ambassador forwards to.
/// </summary>
public sealed record ServiceEndpoint(
    string Service,
    string App,
    string Name,
    int Instance,
    string Host,
    string Address,
    int Port,
    int ContainerPort,
    string Protocol)
{
    /// <summary>Derived from App, Name and Instance, so left out of JSON (<c>dokkaa resolve -o json</c>).</summary>
    [JsonIgnore]
    public InstanceId InstanceId => new(App, Name, Instance);
}
