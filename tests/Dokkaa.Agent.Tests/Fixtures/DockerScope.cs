using Dokkaa.Agent.Docker;

namespace Dokkaa.Agent.Tests.Fixtures;

/// <summary>
/// One test's share of the daemon: a label of its own on every container it creates through
/// <see cref="Spec"/>, so it can list exactly its containers, and removal of all of them on dispose.
/// </summary>
public sealed class DockerScope : IAsyncDisposable
{
    public const string ScopeLabel = "io.dokkaa.test.scope";

    private readonly IDockerClient _client;
    private readonly IReadOnlyDictionary<string, string> _runLabels;

    internal DockerScope(IDockerClient client, IReadOnlyDictionary<string, string> runLabels)
    {
        _client = client;
        _runLabels = runLabels;
        Id = Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>Unique per scope; the value of <see cref="ScopeLabel"/>.</summary>
    public string Id { get; }

    /// <summary>The labels every container of this scope carries: the fixture's run label and the scope label.</summary>
    public IReadOnlyDictionary<string, string> Labels => new Dictionary<string, string>(_runLabels) { [ScopeLabel] = Id };

    /// <summary>A label filter matching this scope's containers and no others.</summary>
    public IReadOnlyDictionary<string, string?> Filter => new Dictionary<string, string?> { [ScopeLabel] = Id };

    /// <summary>A container name no other test uses.</summary>
    public string NewName(string hint) => $"dokkaa-test-{hint}-{Id}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>A spec for the test image, labelled for this scope; no command means the image's httpd.</summary>
    public ContainerSpec Spec(string hint, params string[] command) => new()
    {
        Name = NewName(hint),
        Image = DockerTestImage.Name,
        Command = command.Length == 0 ? null : command,
        Labels = Labels,
    };

    /// <summary>Creates and starts a container, returning its id.</summary>
    public async Task<string> RunAsync(ContainerSpec spec)
    {
        var id = await _client.CreateContainerAsync(spec);
        await _client.StartContainerAsync(id);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in await _client.ListContainersAsync(Filter))
            await _client.RemoveContainerAsync(container.Id);
    }
}
