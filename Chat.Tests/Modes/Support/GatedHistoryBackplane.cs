using System.Net.WebSockets;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// The in-memory backplane with gates in its history, so a test can stop an append or a read
/// half-way and run something else in the gap: a deterministic stand-in for a slow remote store.
/// A closed gate reports that a call has reached it, then waits until the test opens it.
/// </summary>
internal sealed class GatedHistoryBackplane : IChatBackplane
{
    private readonly InMemoryBackplane _inner = new();

    /// <summary>Appends wait here before they are recorded.</summary>
    public Gate BeforeAppend { get; } = new();

    /// <summary>Reads wait here before the history is read.</summary>
    public Gate BeforeRead { get; } = new();

    /// <summary>Reads wait here after the history was read, before it is returned.</summary>
    public Gate AfterRead { get; } = new();

    public Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => _inner.ConnectAsync(node, cancellationToken);

    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) => _inner.TryClaimNicknameAsync(nickname, cancellationToken);

    public ValueTask ReleaseNicknameAsync(string nickname) => _inner.ReleaseNicknameAsync(nickname);

    public ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) => _inner.GetNicknamesAsync(cancellationToken);

    public ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) => _inner.IsOnlineAsync(nickname, cancellationToken);

    public void PublishToAll(ReadOnlyMemory<byte> payload, WebSocketMessageType type) => _inner.PublishToAll(payload, type);

    public void PublishToMember(string nickname, ReadOnlyMemory<byte> text) => _inner.PublishToMember(nickname, text);

    public async ValueTask AppendHistoryAsync(ChatHistoryEntry entry, int capacity)
    {
        await BeforeAppend.PassAsync();
        await _inner.AppendHistoryAsync(entry, capacity);
    }

    public async ValueTask<IReadOnlyList<ChatHistoryEntry>> GetHistoryAsync(int count, CancellationToken cancellationToken)
    {
        await BeforeRead.PassAsync();
        var history = await _inner.GetHistoryAsync(count, cancellationToken);
        await AfterRead.PassAsync();
        return history;
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    /// <summary>Open until <see cref="Close"/>; then the next caller stops, and <see cref="Reached"/> completes.</summary>
    internal sealed class Gate
    {
        private TaskCompletionSource? _open;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Close()
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Open() => Interlocked.Exchange(ref _open, null)?.TrySetResult();

        public Task PassAsync()
        {
            if (Volatile.Read(ref _open) is not { } open)
            {
                return Task.CompletedTask;
            }
            _reached.TrySetResult();
            return open.Task;
        }
    }
}
