using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>The stream under the BCL WebSocket: when it counts the peer as last heard from.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class ConnectionStreamTests
{
    [Test]
    public async Task A_read_that_waits_is_stamped_when_its_bytes_arrive_not_when_it_was_asked_for()
    {
        var ct = TestTimeouts.Token();
        var socket = new FeedStream();
        var stream = new ConnectionStream(socket, ReadOnlyMemory<byte>.Empty, 1024, maxControlFramesPerSecond: 0);
        var buffer = new byte[64];

        var read = stream.ReadAsync(buffer, ct);
        var asked = Environment.TickCount64;
        // Let the clock move on, so that "asked" and "arrived" are different readings.
        while (Environment.TickCount64 < asked + 50)
        {
            await Task.Delay(10, ct);
        }
        var sent = Environment.TickCount64;
        socket.Feed(RawWebSocketClient.Frame(0x1, "late"u8));
        var n = await read;

        Assert.That(n, Is.GreaterThan(0));
        Assert.That(stream.LastReadTicks, Is.GreaterThanOrEqualTo(sent));
    }

    /// <summary>Reads wait until the test feeds bytes.</summary>
    private sealed class FeedStream : Stream
    {
        private readonly TaskCompletionSource<byte[]> _bytes = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Feed(byte[] bytes) => _bytes.TrySetResult(bytes);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var bytes = await _bytes.Task.WaitAsync(cancellationToken);
            bytes.CopyTo(buffer);
            return bytes.Length;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanWrite => false;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
