namespace Dokkaa.Core.Tests.Etcd;

/// <summary>
/// An HTTP handler in front of the real one that breaks watch streams on purpose: the first
/// <see cref="CutConnections"/> watch responses pass <see cref="MessagesBeforeCut"/> messages and a few bytes
/// of the next one, then fail as a dropped connection does; or, with <see cref="SilentConnections"/>, the
/// first watch responses say nothing at all, as a hung member would.
/// </summary>
public sealed class StreamFaults() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _watchRequests;

    public int CutConnections { get; init; }

    public int MessagesBeforeCut { get; init; } = 2;

    public int SilentConnections { get; init; }

    public int WatchRequests => Volatile.Read(ref _watchRequests);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath != "/v3/watch")
            return await base.SendAsync(request, cancellationToken);

        var number = Interlocked.Increment(ref _watchRequests);
        if (number <= SilentConnections)
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StreamContent(new SilentStream()) };

        var response = await base.SendAsync(request, cancellationToken);
        if (number <= CutConnections)
        {
            var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
            var cut = new StreamContent(new CuttingStream(inner, MessagesBeforeCut));
            response.Content = cut;
        }

        return response;
    }

    /// <summary>Passes through whole messages (newline-terminated) up to a count, then a fragment, then fails.</summary>
    private sealed class CuttingStream(Stream inner, int messages) : Stream
    {
        private const int FragmentBytes = 7;
        private int _newlines;
        private int _fragment;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_newlines >= messages && _fragment >= FragmentBytes)
                throw new IOException("connection cut by the test");
            var read = await inner.ReadAsync(buffer, cancellationToken);
            for (var i = 0; i < read; i++)
            {
                if (_newlines >= messages && ++_fragment >= FragmentBytes)
                    return i + 1;
                if (buffer.Span[i] == (byte)'\n')
                    _newlines++;
            }

            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A response body that never produces a byte until the reader gives up.</summary>
    private sealed class SilentStream : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
