using System.Diagnostics;
using System.Globalization;
using Dokkaa.Agent.Docker;

// One trial against the daemon at $DOCKER_HOST (else /var/run/docker.sock); prints one line of figures:
// ping_us inspect_us list_us create_start_20_ms remove_20_ms inspect_alloc_bytes
// Containers carry io.dokkaa.bench=1 (bench/lib.sh removes any left behind) and run sleep from the test image.
const int Containers = 20;
const int Samples = 200;
var image = args.Length > 0 ? args[0] : "dokkaa/busybox:test";
var run = Guid.NewGuid().ToString("N")[..8];
var labels = new Dictionary<string, string> { ["io.dokkaa.bench"] = "1", ["io.dokkaa.bench.run"] = run };
var filter = new Dictionary<string, string?> { ["io.dokkaa.bench.run"] = run };

using var docker = DockerClient.FromEnvironment();
await docker.PingAsync();

// Warm-up: connections, JIT, the library's serializers.
for (var i = 0; i < 20; i++)
{
    await docker.PingAsync();
    await docker.ListContainersAsync(filter);
}

var ping = await MedianMicrosecondsAsync(() => docker.PingAsync());

var watch = Stopwatch.StartNew();
var ids = new List<string>();
for (var i = 0; i < Containers; i++)
{
    var id = await docker.CreateContainerAsync(new ContainerSpec { Name = $"dokkaa-bench-client-{run}-{i}", Image = image, Command = ["sleep", "3600"], Labels = labels });
    await docker.StartContainerAsync(id);
    ids.Add(id);
}

var createStart = watch.Elapsed.TotalMilliseconds;

var inspect = await MedianMicrosecondsAsync(() => docker.InspectContainerAsync(ids[0]));
var list = await MedianMicrosecondsAsync(async () =>
{
    if ((await docker.ListContainersAsync(filter)).Count != Containers)
        throw new InvalidOperationException("the list lost containers");
});

// Allocations of the whole process per inspect (the client's reading of the answer dominates).
var before = GC.GetTotalAllocatedBytes(precise: true);
for (var i = 0; i < Samples; i++)
    await docker.InspectContainerAsync(ids[0]);
var inspectAllocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / Samples;

watch.Restart();
foreach (var id in ids)
    await docker.RemoveContainerAsync(id);
var remove = watch.Elapsed.TotalMilliseconds;

Console.WriteLine(string.Join(' ', new[] { ping, inspect, list, createStart, remove, inspectAllocated }.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture))));

static async Task<double> MedianMicrosecondsAsync(Func<Task> call)
{
    var samples = new double[Samples];
    for (var i = 0; i < Samples; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }

    Array.Sort(samples);
    return samples[Samples / 2];
}
