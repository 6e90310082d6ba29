using System.Net.WebSockets;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// The in-memory backplane with gates in its history, so a test can stop an append or a read
/// half-way and run something else in the gap: a deterministic stand-in for a slow remote store.
/// A closed gate stops the next call that reaches it, reports so, and lets it go when the test opens it.
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
    public void PublishDisconnect(string nickname, int closeCode) => _inner.PublishDisconnect(nickname, closeCode);

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

    /// <summary>Open until <see cref="Close"/>; then the next caller (only that one) stops there, and <see cref="Reached"/> completes.</summary>
    internal sealed class Gate
    {
        private TaskCompletionSource? _armed;
        private TaskCompletionSource? _stopped;
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Close()
        {
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _armed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        public void Open()
        {
            Interlocked.Exchange(ref _armed, null);
            Volatile.Read(ref _stopped)?.TrySetResult();
        }

        public Task PassAsync()
        {
            if (Interlocked.Exchange(ref _armed, null) is not { } gate)
            {
                return Task.CompletedTask;
            }
            Volatile.Write(ref _stopped, gate);
            _reached.TrySetResult();
            return gate.Task;
        }
    }
}
