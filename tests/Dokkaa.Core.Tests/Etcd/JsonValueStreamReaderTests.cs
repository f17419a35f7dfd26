using System.Text;
using Dokkaa.Core.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

public sealed class JsonValueStreamReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public async Task Values_are_framed_whatever_the_read_sizes(int chunk)
    {
        var text = "{\"result\":{\"a\":1}}\n{\"result\":{\"b\":\"x}{\\\"\"}}\n\n  {\"error\":{}}{\"c\":[1,2]}\n";
        using var reader = new JsonValueStreamReader(new TrickleStream(Encoding.UTF8.GetBytes(text), chunk));

        var values = new List<string>();
        while (await reader.ReadAsync(CancellationToken.None) is { } doc)
        {
            using (doc)
                values.Add(doc.RootElement.GetRawText());
        }

        Assert.Equal(["{\"result\":{\"a\":1}}", "{\"result\":{\"b\":\"x}{\\\"\"}}", "{\"error\":{}}", "{\"c\":[1,2]}"], values);
    }

    [Fact]
    public async Task A_value_larger_than_the_initial_buffer_is_read_whole()
    {
        var big = "{\"v\":\"" + new string('x', 100_000) + "\"}\n{\"n\":2}";
        using var reader = new JsonValueStreamReader(new TrickleStream(Encoding.UTF8.GetBytes(big), 1000));

        using var first = await reader.ReadAsync(CancellationToken.None);
        using var second = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(100_000, first!.RootElement.GetProperty("v").GetString()!.Length);
        Assert.Equal(2, second!.RootElement.GetProperty("n").GetInt32());
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_stream_that_ends_inside_a_value_is_an_IOException()
    {
        using var reader = new JsonValueStreamReader(new MemoryStream(Encoding.UTF8.GetBytes("{\"a\":1}\n{\"b\":")));

        using var first = await reader.ReadAsync(CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(async () => await reader.ReadAsync(CancellationToken.None));
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
