using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Fleck.Chat.Tests.Support;

/// <summary>
/// A frame-level client on a bare TCP socket: it can send anything a broken or hostile peer might
/// (any opcode, reserved bits, unmasked frames, odd lengths, bad close payloads) and reads frames
/// back exactly as the server wrote them.
/// </summary>
internal sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public Socket Socket => _tcp.Client;

    /// <summary>Bytes received from the server and not yet read as part of a frame.</summary>
    public int Buffered => _end - _start;

    /// <summary>Connects and completes the opening handshake; throws if the answer is not 101.</summary>
    public static async Task<RawWebSocketClient> ConnectAsync(int port, string path, CancellationToken ct, string extraHeaders = "", IPAddress? from = null)
    {
        var client = await ConnectTcpAsync(port, ct, from: from);
        await client.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n"), ct);
        var head = await client.ReadHttpHeadAsync(ct);
        if (!head.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("handshake refused: " + head);
        }
        return client;
    }

    /// <summary>
    /// Opens a TCP connection to <paramref name="address"/> (127.0.0.1 by default), from the local address
    /// <paramref name="from"/> when one is given: Linux routes all of 127.0.0.0/8 to loopback, so a test
    /// can be a client from 127.0.0.2 as well as from 127.0.0.1.
    /// </summary>
    public static async Task<RawWebSocketClient> ConnectTcpAsync(int port, CancellationToken ct, IPAddress? address = null, IPAddress? from = null)
    {
        var tcp = from is null
            ? new TcpClient(address?.AddressFamily ?? AddressFamily.InterNetwork)
            : new TcpClient(new IPEndPoint(from, 0));
        tcp.NoDelay = true;
        try
        {
            await tcp.ConnectAsync(address ?? IPAddress.Loopback, port, ct);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
        return new RawWebSocketClient(tcp);
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => _stream.WriteAsync(bytes, ct);

    /// <summary>Reads up to the blank line of an HTTP response head.</summary>
    public async Task<string> ReadHttpHeadAsync(CancellationToken ct)
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(_buffer, _start, end + 4);
                _start += end + 4;
                return head;
            }
            if (!await FillAsync(ct))
            {
                return Encoding.ASCII.GetString(_buffer, _start, _end - _start);
            }
        }
    }

    /// <summary>Reads everything until the server closes the connection.</summary>
    public async Task<string> ReadToEndAsync(CancellationToken ct)
    {
        while (await FillAsync(ct))
        {
        }
        return Encoding.UTF8.GetString(_buffer, _start, _end - _start);
    }

    /// <summary>Builds a client frame: masked unless told otherwise, with the given first byte bits.</summary>
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0, bool mask = true, int? lengthForm = null)
    {
        using var ms = new MemoryStream();
        ms.WriteByte((byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode));
        var maskBit = mask ? 0x80 : 0;
        var form = lengthForm ?? (payload.Length <= 125 ? 7 : payload.Length <= 0xFFFF ? 16 : 64);
        Span<byte> len = stackalloc byte[8];
        switch (form)
        {
            case 7:
                ms.WriteByte((byte)(maskBit | payload.Length));
                break;
            case 16:
                ms.WriteByte((byte)(maskBit | 126));
                BinaryPrimitives.WriteUInt16BigEndian(len, (ushort)payload.Length);
                ms.Write(len[..2]);
                break;
            default:
                ms.WriteByte((byte)(maskBit | 127));
                BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)payload.Length);
                ms.Write(len);
                break;
        }
        if (mask)
        {
            var key = RandomNumberGenerator.GetBytes(4);
            ms.Write(key);
            var masked = payload.ToArray();
            for (var i = 0; i < masked.Length; i++)
            {
                masked[i] ^= key[i & 3];
            }
            ms.Write(masked);
        }
        else
        {
            ms.Write(payload);
        }
        return ms.ToArray();
    }

    public static byte[] ClosePayload(int code, string reason = "")
    {
        var bytes = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)code);
        Encoding.UTF8.GetBytes(reason, bytes.AsSpan(2));
        return bytes;
    }

    public Task SendAsync(int opcode, ReadOnlySpan<byte> payload, CancellationToken ct, bool fin = true, int rsv = 0, bool mask = true) =>
        WriteAsync(Frame(opcode, payload, fin, rsv, mask), ct).AsTask();

    public Task SendTextAsync(string text, CancellationToken ct) => SendAsync(0x1, Encoding.UTF8.GetBytes(text), ct);

    /// <summary>The next frame from the server, or null when the TCP connection ended.</summary>
    public async Task<ReceivedFrame?> ReadFrameAsync(CancellationToken ct)
    {
        if (!await EnsureAsync(2, ct))
        {
            return null;
        }
        var b0 = _buffer[_start];
        var b1 = _buffer[_start + 1];
        var masked = (b1 & 0x80) != 0;
        long length = b1 & 0x7F;
        var header = 2;
        if (length == 126)
        {
            if (!await EnsureAsync(4, ct))
            {
                return null;
            }
            length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
            header = 4;
        }
        else if (length == 127)
        {
            if (!await EnsureAsync(10, ct))
            {
                return null;
            }
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2));
            header = 10;
        }
        _start += header;
        var payload = new byte[length];
        var copied = 0;
        while (copied < length)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                return null;
            }
            var n = (int)Math.Min(length - copied, _end - _start);
            Array.Copy(_buffer, _start, payload, copied, n);
            _start += n;
            copied += n;
        }
        return new ReceivedFrame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0x0F, masked, payload, header);
    }

    /// <summary>Reads frames until a close frame; returns its status code (null for an empty close; throws if TCP ends first).</summary>
    public async Task<int?> ReadCloseAsync(CancellationToken ct)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(ct) ?? throw new InvalidOperationException("connection ended without a close frame");
            if (frame.Opcode == 0x8)
            {
                return frame.Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(frame.Payload) : null;
            }
        }
    }

    /// <summary>
    /// Reads, and drops, whatever comes until the server closes the TCP connection: true when it did
    /// (end of stream or reset), false when <paramref name="ct"/> ended the wait with the connection still open.
    /// </summary>
    public async Task<bool> WaitForTcpCloseAsync(CancellationToken ct)
    {
        try
        {
            while (await FillAsync(ct))
            {
                _start = _end;
            }
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<bool> EnsureAsync(int count, CancellationToken ct)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(ct))
            {
                return false;
            }
        }
        return true;
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int n;
        try
        {
            n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        }
        catch (IOException)
        {
            return false;
        }
        _end += n;
        return n > 0;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A frame as the server sent it.</summary>
internal sealed record ReceivedFrame(bool Fin, int Rsv, int Opcode, bool Masked, byte[] Payload, int HeaderLength)
{
    public string Text => Encoding.UTF8.GetString(Payload);
}
