using System.Diagnostics;
using System.Globalization;
using Dokkaa.Core.Etcd;

// usage: Dokkaa.EtcdClientBench ENDPOINT LABEL COUNT
// Prints one markdown row: median and p99 in microseconds of sequential puts, gets and create-if-absent
// transactions, and of watch delivery (a put until the watch yields its event).
var endpoint = args[0];
var label = args[1];
var count = int.Parse(args[2], CultureInfo.InvariantCulture);
var prefix = $"/bench/{Guid.NewGuid():N}/";
var value = new string('v', 100);

using var client = ClientFactory.Create(endpoint);
for (var i = 0; i < 200; i++)
    await client.PutAsync(prefix + "warm", value);

var puts = await TimeAsync(count, i => client.PutAsync($"{prefix}k{i}", value));
var gets = await TimeAsync(count, i => client.RangeAsync($"{prefix}k{i}"));
var txns = await TimeAsync(count, i => client.TxnAsync(new TxnRequest([Compare.Absent($"{prefix}t{i}")], [new TxnOp.Put($"{prefix}t{i}", value)])));

using var stop = new CancellationTokenSource();
var delivered = new SemaphoreSlim(0);
var watchStart = await client.PutAsync(prefix + "w/start", "0");
var watching = Task.Run(async () =>
{
    await foreach (var change in client.WatchAsync(prefix + "w/", prefix: true, watchStart + 1, stop.Token))
        delivered.Release();
});
var watches = await TimeAsync(count / 4, async i =>
{
    await client.PutAsync($"{prefix}w/{i}", value);
    await delivered.WaitAsync();
});
stop.Cancel();
try
{
    await watching;
}
catch (OperationCanceledException)
{
    // The end of the run.
}

await client.DeleteAsync(prefix, prefix: true);
Console.WriteLine($"| {label} | {Row(puts)} | {Row(gets)} | {Row(txns)} | {Row(watches)} |");

static async Task<List<double>> TimeAsync(int n, Func<int, Task> operation)
{
    var micros = new List<double>(n);
    for (var i = 0; i < n; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await operation(i);
        micros.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
    }

    micros.Sort();
    return micros;
}

static string Row(List<double> sorted) =>
    string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:0} / {sorted[(int)(sorted.Count * 0.99)]:0}");
