using System.Diagnostics;
using System.Net;

namespace Fleck.Chat.Bench;

/// <summary>
/// The clients of one scenario and what they saw: deliveries, latency, order. Each client's
/// counters are touched only by its own receive loop, so recording needs no locks.
/// </summary>
internal sealed class LoadRun : IAsyncDisposable
{
    private readonly BenchOptions _options;
    private readonly CancellationTokenSource _stop = new();
    /// <summary>Each client's receive loop; a reconnected client's replaces the one that ended with its old connection.</summary>
    private Task?[] _loops = [];
    private long[] _received = [];
    private long[] _outOfOrder = [];
    private long[][] _lastSeq = [];
    private LatencyHistogram[] _latency = [];
    private SemaphoreSlim[] _windows = [];
    private int _usersEvents;
    private int _joinedEvents;

    public LoadRun(BenchOptions options) => _options = options;

    public BenchClient[] Clients { get; private set; } = [];

    /// <summary>Set before connecting to check every client's place in nick-broadcast's numbered stream (see <see cref="StreamTracker"/>).</summary>
    public StreamTracker? Stream { get; private set; }

    /// <summary>Appended to every client's first upgrade request, without the '?'.</summary>
    public string? JoinQuery { get; init; }

    public void TrackStream() => Stream = new StreamTracker(_options.Clients);

    public double HandshakesPerSecond { get; private set; }

    public long TotalReceived => _received.Sum();

    public long OutOfOrder => _outOfOrder.Sum();

    public int UsersEvents => Volatile.Read(ref _usersEvents) + (Stream?.UsersEvents ?? 0);

    /// <summary>Rooms mode: <c>joined</c> events received, one per client once all are in their rooms.</summary>
    public int JoinedEvents => Volatile.Read(ref _joinedEvents);

    /// <summary>Opens <paramref name="count"/> connections, 64 handshakes in flight at a time, and times it.</summary>
    public async Task ConnectAsync(int count, CancellationToken ct)
    {
        Clients = new BenchClient[count];
        _received = new long[count];
        _outOfOrder = new long[count];
        _lastSeq = new long[count][];
        _latency = new LatencyHistogram[count];
        _loops = new Task?[count];
        var sw = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (i, c) =>
        {
            var path = _options.Nick ? $"{_options.Path}/u{i}" : _options.Path;
            Clients[i] = await BenchClient.ConnectAsync(i, _options.Servers[i % _options.Servers.Count], Source(i), JoinQuery is null ? path : $"{path}?{JoinQuery}", c);
        });
        HandshakesPerSecond = count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Starts every client's receive loop except those listed as stalled.</summary>
    public void StartReceiving(int bufferSize, int senders, ISet<int>? stalled = null)
    {
        _windows = Enumerable.Range(0, senders).Select(_ => new SemaphoreSlim(_options.Window)).ToArray();
        foreach (var client in Clients)
        {
            if (stalled?.Contains(client.Index) == true)
            {
                continue;
            }
            _lastSeq[client.Index] = Enumerable.Repeat(-1L, senders).ToArray();
            _latency[client.Index] = new LatencyHistogram();
            _loops[client.Index] = Task.Run(() => client.ReceiveLoopAsync(bufferSize, OnText, _stop.Token));
        }
    }

    private IPAddress Source(int client) => IPAddress.Parse($"127.0.0.{1 + (client % _options.Sources)}");

    /// <summary>
    /// Drops client <paramref name="i"/>'s connection (no close handshake, as a lost network would)
    /// and opens it again under the same nickname with <c>?since=&amp;epoch=</c> from what it last
    /// saw; done when the server's <c>recovered</c> event arrived. The server may still hold the
    /// nickname for the old connection for a moment and refuse it (closing with 4001); then it
    /// tries again shortly. Returns the attempts it took. Not for a sender (its window counts its echoes).
    /// </summary>
    public async Task<int> ReconnectAsync(int i, int bufferSize, CancellationToken ct)
    {
        var stream = Stream ?? throw new InvalidOperationException("reconnecting needs TrackStream()");
        await Clients[i].DisposeAsync();
        await _loops[i]!;
        for (var attempt = 1; ; attempt++)
        {
            var before = stream.RecoveredSeen(i);
            BenchClient? client = null;
            try
            {
                client = await BenchClient.ConnectAsync(i, _options.Servers[i % _options.Servers.Count], Source(i), $"{_options.Path}/u{i}?{stream.ResumeQuery(i)}", ct);
            }
            catch (IOException) when (attempt < 100)
            {
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 100)
            {
            }
            if (client is not null)
            {
                Clients[i] = client;
                var loop = Task.Run(() => client.ReceiveLoopAsync(bufferSize, OnText, _stop.Token));
                _loops[i] = loop;
                await WaitUntilAsync(() => loop.IsCompleted || stream.RecoveredSeen(i) > before, TimeSpan.FromSeconds(30), ct);
                if (stream.RecoveredSeen(i) > before)
                {
                    return attempt;
                }
                await client.DisposeAsync();
                await loop;
                if (attempt >= 100)
                {
                    throw new IOException($"client {i} did not get back in after {attempt} attempts (last close code {client.CloseCode})");
                }
            }
            await Task.Delay(20, ct);
        }
    }

    private void OnText(BenchClient client, ReadOnlySpan<byte> frame, long receivedAt)
    {
        int sender;
        long seq;
        long timestamp;
        if (Stream is { } stream)
        {
            if (!stream.Accept(client.Index, frame, out sender, out seq, out timestamp))
            {
                return;
            }
        }
        else if (!Payload.TryRead(frame, _options.Nick, out sender, out seq, out timestamp))
        {
            if (frame.StartsWith("{\"type\":\"users\""u8))
            {
                Interlocked.Increment(ref _usersEvents);
            }
            else if (frame.StartsWith("{\"type\":\"joined\""u8))
            {
                Interlocked.Increment(ref _joinedEvents);
            }
            return;
        }
        var i = client.Index;
        _received[i]++;
        _latency[i].Record((receivedAt - timestamp) * 1_000_000 / Stopwatch.Frequency);
        var last = _lastSeq[i];
        if (sender < last.Length)
        {
            if (seq <= last[sender])
            {
                _outOfOrder[i]++;
            }
            last[sender] = seq;
        }
        if (sender == i && sender < _windows.Length)
        {
            _windows[sender].Release();
        }
    }

    /// <summary>Sends <paramref name="messages"/> from client <paramref name="sender"/>, keeping at most the window in flight.</summary>
    public async Task SendWindowedAsync(int sender, int messages, CancellationToken ct)
    {
        var buffer = new byte[_options.Bytes + 96];
        for (var seq = 0; seq < messages; seq++)
        {
            await _windows[sender].WaitAsync(ct);
            await SendOneAsync(sender, seq, buffer, ct);
        }
    }

    /// <summary>Sends at a fixed interval for a fixed time; returns how many were sent.</summary>
    public async Task<int> SendPacedAsync(int sender, TimeSpan interval, TimeSpan duration, CancellationToken ct)
    {
        var buffer = new byte[_options.Bytes + 96];
        var start = Stopwatch.GetTimestamp();
        var seq = 0;
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            var due = interval * seq;
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, ct);
            }
            await SendOneAsync(sender, seq++, buffer, ct);
        }
        return seq;
    }

    private async Task SendOneAsync(int sender, int seq, byte[] buffer, CancellationToken ct)
    {
        int length;
        if (_options.Rooms > 0)
        {
            var prefix = RoomsPrefix(sender);
            prefix.CopyTo(buffer, 0);
            length = prefix.Length + Payload.Write(buffer.AsSpan(prefix.Length), sender, seq, Stopwatch.GetTimestamp(), _options.Bytes - 10);
            length = CloseCommand(buffer, length, sender, seq);
        }
        else if (_options.Nick)
        {
            "{\"msg\":\""u8.CopyTo(buffer);
            length = 8 + Payload.Write(buffer.AsSpan(8), sender, seq, Stopwatch.GetTimestamp(), _options.Bytes - 10);
            length = CloseCommand(buffer, length, sender, seq);
        }
        else
        {
            length = Payload.Write(buffer, sender, seq, Stopwatch.GetTimestamp(), _options.Bytes);
        }
        await Clients[sender].SendTextAsync(buffer.AsSpan(0, length), ct);
    }

    // Ids are remembered per user for the dedup window, and a warm-up before the measured run signs
    // in the same nicknames: a run's ids start with its own prefix, or the run would be all duplicates.
    private readonly byte[] _idPrefix = System.Text.Encoding.ASCII.GetBytes("\",\"id\":\"" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)) + "-");

    /// <summary>Ends a JSON command after its <c>msg</c> text: with <c>--ids</c>, an <c>id</c> unique per run, sender and message first.</summary>
    private int CloseCommand(byte[] buffer, int length, int sender, int seq)
    {
        if (_options.Ids)
        {
            _idPrefix.CopyTo(buffer.AsSpan(length));
            length += _idPrefix.Length;
            System.Buffers.Text.Utf8Formatter.TryFormat(sender, buffer.AsSpan(length), out var n);
            length += n;
            buffer[length++] = (byte)'-';
            System.Buffers.Text.Utf8Formatter.TryFormat(seq, buffer.AsSpan(length), out n);
            length += n;
        }
        "\"}"u8.CopyTo(buffer.AsSpan(length));
        return length + 2;
    }

    /// <summary>Rooms mode: every client joins room r(i mod Rooms), 64 commands in flight at a time.</summary>
    public Task JoinRoomsAsync(CancellationToken ct) =>
        Parallel.ForAsync(0, Clients.Length, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = ct }, async (i, c) =>
            await Clients[i].SendTextAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"join\",\"room\":\"r{i % _options.Rooms}\"}}"), c));

    private byte[][] _roomsPrefixes = [];

    /// <summary>The start of a rooms-mode message command, up to the opening quote of <c>msg</c>.</summary>
    private byte[] RoomsPrefix(int sender)
    {
        if (_roomsPrefixes.Length != _options.Rooms)
        {
            _roomsPrefixes = [.. Enumerable.Range(0, _options.Rooms).Select(r => System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"message\",\"room\":\"r{r}\",\"msg\":\""))];
        }
        return _roomsPrefixes[sender % _options.Rooms];
    }

    public LatencyHistogram MergedLatency()
    {
        var all = new LatencyHistogram();
        foreach (var h in _latency)
        {
            if (h is not null)
            {
                all.Merge(h);
            }
        }
        return all;
    }

    /// <summary>Waits until <paramref name="done"/> holds, polling; false if the deadline passed first.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> done, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!done())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }
            await Task.Delay(5, ct);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var client in Clients)
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }
        await Task.WhenAll(_loops.OfType<Task>());
        _stop.Dispose();
    }
}
