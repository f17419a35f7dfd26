namespace Dokkaa.Core.Tests.Etcd;

/// <summary>
/// Breaks the client's gRPC watch streams on purpose, from a handler put in front of each member's HTTP
/// handler (<see cref="Wrap"/>): the first <see cref="CutConnections"/> watch streams pass
/// <see cref="MessagesBeforeCut"/> whole gRPC messages and a few bytes of the next one, then fail as a dropped
/// connection does; or, with <see cref="SilentConnections"/>, the first watch streams say nothing at all, as a
/// hung member would. Everything else passes through to the real etcd.
/// </summary>
public sealed class StreamFaults
{
    private const string WatchPath = "/etcdserverpb.Watch/Watch";

    private int _watchRequests;

    public int CutConnections { get; init; }

    public int MessagesBeforeCut { get; init; } = 2;

    public int SilentConnections { get; init; }

    public int WatchRequests => Volatile.Read(ref _watchRequests);

    public HttpMessageHandler Wrap(HttpMessageHandler inner) => new Faulty(this, inner);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath != WatchPath)
            return await send();

        var number = Interlocked.Increment(ref _watchRequests);
        if (number <= SilentConnections)
        {
            // Take what the client writes (so its writes complete), answer headers, then nothing.
            _ = request.Content!.CopyToAsync(Stream.Null, cancellationToken);
            var silent = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Version = System.Net.HttpVersion.Version20, Content = new StreamContent(new SilentStream()) };
            silent.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            return silent;
        }

        var response = await send();
        if (number <= CutConnections)
        {
            var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
            var headers = response.Content.Headers.ToArray();
            response.Content = new StreamContent(new CuttingStream(inner, MessagesBeforeCut));
            foreach (var header in headers)
                response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return response;
    }

    private sealed class Faulty(StreamFaults faults, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            faults.SendAsync(request, () => base.SendAsync(request, cancellationToken), cancellationToken);
    }

    /// <summary>Passes through whole gRPC messages (a 5-byte header with the length, then the body) up to a count, then a fragment, then fails.</summary>
    private sealed class CuttingStream(Stream inner, int messages) : Stream
    {
        private const int FragmentBytes = 7;
        private readonly byte[] _header = new byte[5];
        private int _headerRead;
        private long _bodyLeft;
        private int _messages;
        private int _fragment;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_messages >= messages && _fragment >= FragmentBytes)
                throw new IOException("connection cut by the test");
            var read = await inner.ReadAsync(buffer, cancellationToken);
            for (var i = 0; i < read; i++)
            {
                if (_messages >= messages && ++_fragment >= FragmentBytes)
                    return i + 1;
                Count(buffer.Span[i]);
            }

            return read;
        }

        private void Count(byte b)
        {
            if (_headerRead < 5)
            {
                _header[_headerRead++] = b;
                if (_headerRead < 5)
                    return;
                _bodyLeft = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(1));
            }
            else
            {
                _bodyLeft--;
            }

            if (_bodyLeft == 0)
            {
                _messages++;
                _headerRead = 0;
            }
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
