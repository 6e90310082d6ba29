using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>
/// Makes nodes claim or release one user's shares at the same moment: each node's claim of
/// <see cref="Nickname"/> waits until every node has asked for it before it goes to Redis, and each
/// release waits, once it is done, until every node's release is done. Whatever a node decides
/// before the claim or after the release (e.g. "is the user online elsewhere?") is then decided
/// while the other node is at the same point: the widest window a race between them can have.
/// </summary>
internal sealed class SharedClaimRendezvous(string nickname, int nodes)
{
    private readonly Rendezvous _claims = new(nodes);
    private readonly Rendezvous _releases = new(nodes);

    public string Nickname { get; } = nickname;

    /// <summary>Ends every wait: a test that ends early must not leave a node's claim hanging.</summary>
    public CancellationToken Token { get; init; }

    /// <summary>Wraps one node's backplane.</summary>
    public IChatBackplane Wrap(RedisBackplane inner) => new Gated(inner, this);

    private sealed class Rendezvous(int parties)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task ArriveAsync(CancellationToken ct)
        {
            if (Interlocked.Increment(ref _arrived) >= parties)
            {
                _all.TrySetResult();
            }
            return _all.Task.WaitAsync(ct);
        }
    }

    /// <summary>Gates the shared claims and passes everything else on, the numbered streams included (nick-broadcast's chat crosses nodes through them).</summary>
    private sealed class Gated(RedisBackplane inner, SharedClaimRendezvous gate) : IChatBackplane
    {
        public IPresence Presence { get; } = new GatedPresence(inner.Presence, gate);

        public INodeBus Bus => inner.Bus;

        public IStreamLog? Streams => inner.Streams;

        public Task ConnectAsync(IBackplaneNode node, CancellationToken cancellationToken) => ((IChatBackplane)inner).ConnectAsync(node, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class GatedPresence(IPresence inner, SharedClaimRendezvous gate) : IPresence
    {
        private bool Gates(string nickname) => Protocol.Nickname.Comparer.Equals(nickname, gate.Nickname);

        public async ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken)
        {
            if (Gates(nickname))
            {
                await gate._claims.ArriveAsync(gate.Token);
            }
            return await inner.TryClaimSharedNicknameAsync(nickname, cancellationToken);
        }

        public async ValueTask<bool> ReleaseSharedNicknameAsync(string nickname)
        {
            var last = await inner.ReleaseSharedNicknameAsync(nickname);
            if (Gates(nickname))
            {
                await gate._releases.ArriveAsync(gate.Token);
            }
            return last;
        }

        public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) => inner.TryClaimNicknameAsync(nickname, cancellationToken);

        public ValueTask ReleaseNicknameAsync(string nickname) => inner.ReleaseNicknameAsync(nickname);

        public ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) => inner.GetNicknamesAsync(cancellationToken);

        public ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) => inner.IsOnlineAsync(nickname, cancellationToken);

        public ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken) => inner.AddRoomMemberAsync(room, nickname, cancellationToken);

        public ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname) => inner.RemoveRoomMemberAsync(room, nickname);

        public ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) => inner.GetRoomMembersAsync(room, cancellationToken);

        public ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken) => inner.GetRoomCountsAsync(cancellationToken);
    }
}
