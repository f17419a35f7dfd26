using Dokkaa.Agent.Docker;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Etcd;
using Dokkaa.Core.Operations;
using Dokkaa.Etcd;
using Dokkaa.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Dokkaa.Agent.Tests.Integration;

/// <summary>
/// A fresh agent and a fresh app name per test, against the class's real etcd and the machine's dockerd.
/// Every container of the test's app is removed afterwards, whatever happened.
/// </summary>
public abstract class AgentTestBase : IAsyncLifetime
{
    public const string TestImage = Testing.TestImage.Name;

    protected AgentTestBase(EtcdFixture etcd, ITestOutputHelper output, Func<Hosting.AgentOptions, Hosting.AgentOptions>? configure = null, Func<IEtcdClient, IEtcdClient>? decorateEtcd = null)
    {
        Etcd = etcd.Server;
        Output = output;
        App = "t" + Guid.NewGuid().ToString("N")[..8];
        Client = EtcdClients.Create(Etcd.Endpoint);
        Ops = new ClusterOperations(Client);
        Docker = DockerClient.FromEndpoint("unix:///var/run/docker.sock");
        Agent = new AgentHarness(Etcd.Endpoint, output, configure, decorateEtcd);
    }

    protected EtcdServer Etcd { get; }
    protected ITestOutputHelper Output { get; }
    protected string App { get; }
    protected IEtcdClient Client { get; }
    protected ClusterOperations Ops { get; }
    protected IDockerClient Docker { get; }
    protected AgentHarness Agent { get; }

    public virtual async Task InitializeAsync() => await Agent.StartAsync();

    public virtual async Task DisposeAsync()
    {
        try
        {
            // The class's etcd outlives this test: take its manifests out, or the next test's agent would
            // adopt them once this agent's lease expires.
            await Client.DeleteAsync(KeyLayout.AppPrefix(App), prefix: true);
            await Agent.DisposeAsync();
        }
        finally
        {
            // Whatever happened to the agent, the test's containers go.
            foreach (var container in await ContainersAsync())
                await RemoveLeftoverAsync(container.Id);
            Client.Dispose();
            Docker.Dispose();
        }
    }

    /// <summary>
    /// Removes a container the test left. After a dockerd restart (ResilienceTests) dockerd 20.10 on these
    /// machines sometimes cannot remove a container killed by the restart: "driver overlay2 failed to remove
    /// root filesystem ... device or resource busy", for as long as the machine runs, and no umount frees it.
    /// That container is dead (it runs nothing); the test says so in its output instead of failing on it.
    /// </summary>
    private async Task RemoveLeftoverAsync(string id)
    {
        try
        {
            await Docker.RemoveContainerAsync(id);
        }
        catch (DockerException e) when (e.Message.Contains("device or resource busy", StringComparison.Ordinal))
        {
            Output.WriteLine($"dockerd cannot remove the dead container {id}: {e.Message}");
        }
    }

    /// <summary>
    /// A busybox web server manifest offering <paramref name="service"/>; <paramref name="extra"/> is spliced into the
    /// JSON object. Two manifests of one app need two service names: the second one offering a name gets a status error.
    /// </summary>
    protected static string WebManifest(int scale, string extra = "", string service = "web") =>
        $$"""{"image":"{{TestImage}}","scale":{{scale}},"services":{"{{service}}":80},"command":["sh","-c","mkdir -p /www && echo instance-$DOKKAA_INSTANCE > /www/index.html && exec httpd -f -p 80 -h /www"]{{extra}}}""";

    protected Task<IReadOnlyList<ContainerSummary>> ContainersAsync() =>
        Docker.ListContainersAsync(new Dictionary<string, string?> { [ContainerNames.AppLabel] = App });

    protected async Task<IReadOnlyList<string>> RunningNamesAsync(string? name = null) =>
        (await ContainersAsync())
            .Where(c => c.State == "running" && (name is null || c.Labels.GetValueOrDefault(ContainerNames.NameLabel) == name))
            .Select(c => c.Name.TrimStart('/'))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();

    protected Task<ManifestStatusInfo> StatusAsync(string name) =>
        Poll.UntilAsync(async () => (await Ops.GetStatusAsync(App, name)).SingleOrDefault(), s => s is not null, $"a status for {App}/{name}")!;

    protected Task<ManifestStatusInfo> WaitConvergedAsync(string name, TimeSpan? timeout = null) =>
        Poll.UntilAsync(async () => (await Ops.GetStatusAsync(App, name)).Single(), s => s.Converged, $"{App}/{name} to converge", timeout)!;

    protected Task<ManifestStatusInfo> WaitForErrorAsync(string name, string fragment, TimeSpan? timeout = null) =>
        Poll.UntilAsync(
            async () => (await Ops.GetStatusAsync(App, name)).Single(),
            s => s.Errors.Any(e => e.Contains(fragment, StringComparison.Ordinal)),
            $"an error containing \"{fragment}\" in the status of {App}/{name}",
            timeout)!;

    protected async Task<string> LogsAsync(string container) =>
        (await ProcessRunner.RunAsync("docker", "logs", container)).All;
}
