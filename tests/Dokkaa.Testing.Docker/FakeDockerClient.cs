using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Dokkaa.Agent.Docker;

namespace Dokkaa.Testing.Docker;

/// <summary>
/// A Docker daemon in memory, for unit tests of the agent's decisions: containers with names, labels, states and
/// published ports, images, an event stream, and failures on demand (a call that throws, a command that exits
/// right after it starts). It keeps Docker's rules the agent relies on: names are unique (a conflict is a 409),
/// creating from an absent image is a 404, stopping a stopped container and removing an absent one are no errors.
/// Timestamps come from the given clock.
/// </summary>
public sealed class FakeDockerClient : IDockerClient
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, FakeContainer> _containers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _images = new(StringComparer.Ordinal);
    private readonly List<FakeDockerFailure> _failures = new();
    private readonly List<Func<ContainerSpec, int?>> _exitsOnStart = new();
    private readonly List<Channel<DockerEvent>> _subscribers = new();
    private int _nextId;
    private int _nextPort = 32768;

    public FakeDockerClient(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <summary>Images a pull can fetch (a pull of any other image fails as a registry would).</summary>
    public HashSet<string> Pullable { get; } = new(StringComparer.Ordinal);

    /// <summary>Every call made, as <c>operation target</c> (e.g. <c>start 3f2a...</c>, <c>create app---web</c>), in order.</summary>
    public List<string> Calls { get; } = new();

    public IReadOnlyList<FakeContainer> Containers
    {
        get
        {
            lock (_gate)
                return _containers.Values.ToList();
        }
    }

    public FakeDockerClient WithImage(string image)
    {
        lock (_gate)
            _images.Add(image);
        return this;
    }

    /// <summary>The container called <paramref name="name"/>, or null.</summary>
    public FakeContainer? Named(string name)
    {
        lock (_gate)
            return _containers.Values.FirstOrDefault(c => c.Name == name);
    }

    /// <summary>Makes the next <paramref name="times"/> calls of <paramref name="operation"/> (create, start, stop, remove, rename, inspect, list, pull) whose target matches throw <paramref name="error"/>.</summary>
    public void Fail(string operation, Exception error, Func<string, bool>? target = null, int times = 1)
    {
        lock (_gate)
            _failures.Add(new FakeDockerFailure(operation, target, error, times));
    }

    /// <summary>Every container whose spec <paramref name="exitCode"/> gives a code for exits with it as soon as it is started (a command that fails at once).</summary>
    public void ExitOnStart(Func<ContainerSpec, int?> exitCode)
    {
        lock (_gate)
            _exitsOnStart.Add(exitCode);
    }

    /// <summary>The container's process exits (a crash, or the fence's stop as seen by Docker).</summary>
    public void Exit(string idOrName, int exitCode, string? error = null)
    {
        lock (_gate)
        {
            var container = Find(idOrName) ?? throw new InvalidOperationException($"no container {idOrName}");
            Finish(container, exitCode, error);
        }
    }

    /// <summary>Creates a container outside the agent (a leftover, a copy from an earlier life, or someone else's) and optionally starts it.</summary>
    public FakeContainer Add(ContainerSpec spec, bool running = true)
    {
        lock (_gate)
        {
            var container = Create(spec);
            if (running)
                Begin(container);
            return container;
        }
    }

    public Task PingAsync(CancellationToken cancellationToken = default) => Call("ping", "", () => true);

    public Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string?> labels, CancellationToken cancellationToken = default) =>
        Call("list", "", () => (IReadOnlyList<ContainerSummary>)_containers.Values
            .Where(c => labels.All(l => c.Spec.Labels.TryGetValue(l.Key, out var v) && (l.Value is null || l.Value == v)))
            .Select(c => c.Summary())
            .ToList());

    public Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken = default) =>
        Call("create", spec.Name, () =>
        {
            if (!_images.Contains(spec.Image))
                throw new DockerNotFoundException($"No such image: {spec.Image}");
            if (_containers.Values.Any(c => c.Name == spec.Name))
                throw new DockerException($"Conflict. The container name \"/{spec.Name}\" is already in use", 409);
            return Create(spec).Id;
        });

    public Task StartContainerAsync(string id, CancellationToken cancellationToken = default) =>
        Call("start", id, () =>
        {
            var container = Find(id) ?? throw new DockerNotFoundException($"No such container: {id}");
            if (!container.Running)
                Begin(container);
            return true;
        });

    public Task StopContainerAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Call("stop", id, () =>
        {
            var container = Find(id) ?? throw new DockerNotFoundException($"No such container: {id}");
            if (container.Running)
                Finish(container, 137, null);
            return true;
        });

    public Task RemoveContainerAsync(string id, CancellationToken cancellationToken = default) =>
        Call("remove", id, () =>
        {
            if (Find(id) is { } container)
            {
                _containers.Remove(container.Id);
                Publish("destroy", container);
            }

            return true;
        });

    public Task RenameContainerAsync(string id, string newName, CancellationToken cancellationToken = default) =>
        Call("rename", id, () =>
        {
            var container = Find(id) ?? throw new DockerNotFoundException($"No such container: {id}");
            if (_containers.Values.Any(c => c.Name == newName && c != container))
                throw new DockerException($"Conflict. The container name \"/{newName}\" is already in use", 409);
            container.Name = newName;
            return true;
        });

    public Task<ContainerDetails?> InspectContainerAsync(string idOrName, CancellationToken cancellationToken = default) =>
        Call("inspect", idOrName, () => Find(idOrName)?.Details());

    public Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken = default) =>
        Call("image", image, () => _images.Contains(image));

    public Task PullImageAsync(string image, CancellationToken cancellationToken = default) =>
        Call("pull", image, () =>
        {
            if (!Pullable.Contains(image))
                throw new DockerException($"pull access denied for {image}, repository does not exist or may require 'docker login'", 404);
            _images.Add(image);
            return true;
        });

    public Task<string?> GetNetworkGatewayAsync(string network = "bridge", CancellationToken cancellationToken = default) =>
        Call("network", network, () => (string?)"172.17.0.1");

    public async IAsyncEnumerable<DockerEvent> EventsAsync(IReadOnlyDictionary<string, string?> labels, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<DockerEvent>();
        lock (_gate)
            _subscribers.Add(channel);
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (labels.All(l => e.Attributes.TryGetValue(l.Key, out var v) && (l.Value is null || l.Value == v)))
                    yield return e;
            }
        }
        finally
        {
            lock (_gate)
                _subscribers.Remove(channel);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var channel in _subscribers)
                channel.Writer.TryComplete();
        }
    }

    private Task<T> Call<T>(string operation, string target, Func<T> body)
    {
        lock (_gate)
        {
            Calls.Add(target.Length == 0 ? operation : $"{operation} {target}");
            var failure = _failures.FirstOrDefault(f => f.Operation == operation && f.Times > 0 && (f.Target is null || f.Target(target)));
            if (failure is not null)
            {
                failure.Times--;
                return Task.FromException<T>(failure.Error);
            }

            try
            {
                return Task.FromResult(body());
            }
            catch (DockerException e)
            {
                return Task.FromException<T>(e);
            }
        }
    }

    private FakeContainer? Find(string idOrName)
    {
        var name = idOrName.TrimStart('/');
        return _containers.TryGetValue(idOrName, out var byId) ? byId : _containers.Values.FirstOrDefault(c => c.Name == name);
    }

    private FakeContainer Create(ContainerSpec spec)
    {
        var id = (++_nextId).ToString("x64", CultureInfo.InvariantCulture)[^64..];
        var container = new FakeContainer(id, spec);
        _containers[id] = container;
        Publish("create", container);
        return container;
    }

    private void Begin(FakeContainer container)
    {
        container.Running = true;
        container.State = "running";
        container.StartedAt = _clock.GetUtcNow();
        container.FinishedAt = null;
        container.Starts++;
        if (container.Ports.Count == 0 && container.Spec.PublishAllPorts)
            container.Ports = container.Spec.ExposedPorts.ToDictionary(p => p, _ => _nextPort++);
        Publish("start", container);
        if (_exitsOnStart.Select(rule => rule(container.Spec)).FirstOrDefault(code => code is not null) is { } exitCode)
            Finish(container, exitCode, null);
    }

    private void Finish(FakeContainer container, int exitCode, string? error)
    {
        container.Running = false;
        container.State = "exited";
        container.ExitCode = exitCode;
        container.Error = error;
        container.FinishedAt = _clock.GetUtcNow();
        Publish("die", container);
    }

    private void Publish(string action, FakeContainer container)
    {
        var e = new DockerEvent(action, container.Id, container.Spec.Labels, _clock.GetUtcNow());
        foreach (var channel in _subscribers)
            channel.Writer.TryWrite(e);
    }
}
