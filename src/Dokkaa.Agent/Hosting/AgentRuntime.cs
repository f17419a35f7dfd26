using Dokkaa.Agent.Ambassador;
using Dokkaa.Agent.Fencing;
using Dokkaa.Agent.Membership;
using Dokkaa.Agent.Reconciliation;
using Dokkaa.Dns;
using Dokkaa.WebConsole.Hosting;

namespace Dokkaa.Agent.Hosting;

/// <summary>
/// What <see cref="AgentStartup"/> made, for the loops to run on: the parts that exist only once Docker, etcd and the
/// bridge gateway are known.
/// </summary>
internal sealed record AgentRuntime(
    Reconciler Reconciler,
    ExclusiveFence Fence,
    FenceBeacon Beacon,
    HostRecordPublisher Publisher,
    HttpRouting Http,
    AmbassadorServer Ambassador,
    DnsServer? Dns,
    ConsoleServer? Console);
