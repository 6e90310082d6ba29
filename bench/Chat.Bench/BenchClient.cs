using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Fleck.Chat.Bench;

/// <summary>
/// One load-generator connection on a bare socket: hand-written upgrade, masked client frames,
/// and a frame parser that hands each text payload to a callback without copying it. Built to
/// cost the generator far less than the server it measures, which is why it is not the tests'
/// RawWebSocketClient: that one allocates every frame it builds or reads and awaits each frame on
/// its own, and driving the fanout with it made the generator, not the server, the limit.
/// Thread-safety: one sender and one receive loop at a time.
/// </summary>
internal sealed class BenchClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _maskKey = RandomNumberGenerator.GetBytes(4);
    private byte[] _sendBuffer = new byte[256];
    private byte[] _leftover = [];

    private BenchClient(int index, Socket socket)
    {
        Index = index;
        _socket = socket;
    }

    public int Index { get; }

    /// <summary>Set when the server closed this connection (close frame or end of stream).</summary>
    public int? CloseCode { get; private set; }

    public bool Closed { get; private set; }

    private const int IpProtocolLevel = 0;
    private const int IpBindAddressNoPort = 24;

    public static async Task<BenchClient> ConnectAsync(int index, IPEndPoint server, IPAddress source, string path, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Spreading clients over several 127.0.0.x sources keeps clear of ephemeral-port exhaustion.
            // IP_BIND_ADDRESS_NO_PORT (Linux) leaves the port to connect(), which may reuse one that an
            // earlier run left in TIME_WAIT toward another server port; bind() alone may not, and then
            // back-to-back runs slow down on port searches that have nothing to do with the server.
            socket.SetRawSocketOption(IpProtocolLevel, IpBindAddressNoPort, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, ct);
            var request = Encoding.ASCII.GetBytes(
                $"GET {path} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, ct);
            var client = new BenchClient(index, socket);
            await client.ReadUpgradeResponseAsync(ct);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ReadUpgradeResponseAsync(CancellationToken ct)
    {
        var buffer = new byte[1024];
        var filled = 0;
        while (true)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
            if (n == 0)
            {
                throw new IOException("connection closed during the handshake");
            }
            filled += n;
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                if (filled == buffer.Length)
                {
                    throw new IOException("handshake response too large");
                }
                continue;
            }
            if (!buffer.AsSpan(0, filled).StartsWith("HTTP/1.1 101"u8))
            {
                throw new IOException("handshake refused: " + Encoding.ASCII.GetString(buffer, 0, Math.Min(filled, 60)));
            }
            _leftover = buffer.AsSpan(end + 4, filled - end - 4).ToArray();
            return;
        }
    }

    /// <summary>Sends one masked text frame holding <paramref name="payload"/>.</summary>
    public ValueTask<int> SendTextAsync(ReadOnlySpan<byte> payload, CancellationToken ct)
    {
        var header = payload.Length <= 125 ? 2 : 4;
        var total = header + 4 + payload.Length;
        if (_sendBuffer.Length < total)
        {
            _sendBuffer = new byte[total];
        }
        var frame = _sendBuffer.AsSpan(0, total);
        frame[0] = 0x81;
        if (header == 2)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)payload.Length);
        }
        _maskKey.CopyTo(frame[header..]);
        var body = frame[(header + 4)..];
        for (var i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ _maskKey[i & 3]);
        }
        return _socket.SendAsync(_sendBuffer.AsMemory(0, total), SocketFlags.None, ct);
    }

    /// <summary>
    /// Reads frames until the connection ends or <paramref name="ct"/> fires, calling
    /// <paramref name="onText"/> for every text frame.
    /// </summary>
    public async Task ReceiveLoopAsync(int bufferSize, TextHandler onText, CancellationToken ct)
    {
        var buffer = new byte[bufferSize];
        var filled = _leftover.Length;
        _leftover.CopyTo(buffer, 0);
        _leftover = [];
        try
        {
            while (true)
            {
                var consumed = Parse(buffer.AsSpan(0, filled), onText, System.Diagnostics.Stopwatch.GetTimestamp());
                if (consumed < 0)
                {
                    return;
                }
                if (consumed > 0)
                {
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                }
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var n = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
                if (n == 0)
                {
                    Closed = true;
                    return;
                }
                filled += n;
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Closed |= ex is SocketException;
        }
    }

    /// <summary>Parses whole frames; returns bytes consumed, or -1 after a close frame.</summary>
    private int Parse(ReadOnlySpan<byte> data, TextHandler onText, long receivedAt)
    {
        var offset = 0;
        while (data.Length - offset >= 2)
        {
            var b0 = data[offset];
            long length = data[offset + 1] & 0x7F;
            var header = 2;
            if (length == 126)
            {
                if (data.Length - offset < 4)
                {
                    break;
                }
                length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
                header = 4;
            }
            else if (length == 127)
            {
                if (data.Length - offset < 10)
                {
                    break;
                }
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[(offset + 2)..]);
                header = 10;
            }
            if (data.Length - offset < header + length)
            {
                break;
            }
            var payload = data.Slice(offset + header, (int)length);
            switch (b0 & 0x0F)
            {
                case 0x1:
                    onText(this, payload, receivedAt);
                    break;
                case 0x8:
                    CloseCode = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
                    Closed = true;
                    return -1;
                case 0x9:
                    // Answer keepalive pings so the server keeps us.
                    _ = SendControlAsync(0xA, payload.ToArray());
                    break;
            }
            offset += header + (int)length;
        }
        return offset;
    }

    private async Task SendControlAsync(byte opcode, byte[] payload)
    {
        var frame = new byte[6 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)(0x80 | payload.Length);
        _maskKey.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ _maskKey[i & 3]);
        }
        try
        {
            await _socket.SendAsync(frame, SocketFlags.None);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Shrinks the kernel receive buffer, for a client that is meant to stall.</summary>
    public void UseTinyReceiveBuffer() => _socket.ReceiveBufferSize = 4096;

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal delegate void TextHandler(BenchClient client, ReadOnlySpan<byte> payload, long receivedAt);
