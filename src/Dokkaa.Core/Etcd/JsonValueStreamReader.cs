using System.Buffers;
using System.Text.Json;

namespace Dokkaa.Core.Etcd;

/// <summary>
/// Splits a byte stream into consecutive top-level JSON values, as the gateway sends a gRPC stream
/// (one object per message, newline separated). It does not rely on the newlines: it frames by JSON
/// syntax, so it also copes with messages split across reads or several messages in one read.
/// </summary>
internal sealed class JsonValueStreamReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    /// <summary>A guard against a peer that streams one endless value: no etcd message comes near this.</summary>
    private const int MaxValueSize = 256 * 1024 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _end;
    private bool _endOfStream;

    public JsonValueStreamReader(Stream stream) => _stream = stream;

    /// <summary>The next value, or null when the stream ended cleanly between values.</summary>
    public async ValueTask<JsonDocument?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTakeValue(out var document))
                return document;
            if (_endOfStream)
            {
                if (_start == _end)
                    return null;
                throw new IOException("The stream ended in the middle of a JSON value.");
            }

            MakeRoom();
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                _endOfStream = true;
            else
                _end += read;
        }
    }

    private bool TryTakeValue(out JsonDocument? document)
    {
        document = null;
        while (_start < _end && IsWhitespace(_buffer[_start]))
            _start++;
        if (_start == _end)
            return false;

        var data = _buffer.AsSpan(_start, _end - _start);
        // Never a final block: then an incomplete value is "need more bytes", not a syntax error, and the
        // caller reports a stream that ends there as the truncation it is. (A bare top-level number at the
        // very end would wait for more bytes too; the gateway only sends objects.)
        var probe = new Utf8JsonReader(data, isFinalBlock: false, state: default);
        // TrySkip answers false while the value is still incomplete; then wait for more bytes.
        if (!probe.Read() || !probe.TrySkip())
            return false;
        var length = (int)probe.BytesConsumed;

        // ParseValue copies what it reads, so the buffer can be reused after this.
        var reader = new Utf8JsonReader(data[..length], isFinalBlock: true, state: default);
        document = JsonDocument.ParseValue(ref reader);
        _start += length;
        return true;
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end < _buffer.Length)
            return;
        if (_buffer.Length >= MaxValueSize)
            throw new IOException($"A JSON value in the stream is larger than {MaxValueSize} bytes.");

        var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
