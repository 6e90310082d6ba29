using Fleck.Chat.Rooms;
using Fleck.Chat.Scaling;

namespace Fleck.Chat.Diagnostics;

/// <summary>
/// Counts the presence calls that found the backplane unavailable. Every member of the interface is
/// forwarded explicitly, defaults included, so the real backplane's own versions run.
/// </summary>
internal sealed class MeteredPresence(IPresence inner, ChatMetrics metrics) : IPresence
{
    public ValueTask<bool> TryClaimNicknameAsync(string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.TryClaimNicknameAsync(nickname, cancellationToken), metrics, "claim");

    public ValueTask ReleaseNicknameAsync(string nickname) => inner.ReleaseNicknameAsync(nickname);

    public ValueTask<SharedClaimResult> TryClaimSharedNicknameAsync(string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.TryClaimSharedNicknameAsync(nickname, cancellationToken), metrics, "claim");

    public ValueTask<bool> ReleaseSharedNicknameAsync(string nickname) => inner.ReleaseSharedNicknameAsync(nickname);

    public ValueTask<IReadOnlyCollection<string>> GetNicknamesAsync(CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.GetNicknamesAsync(cancellationToken), metrics, "nicknames");

    public ValueTask<bool> IsOnlineAsync(string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.IsOnlineAsync(nickname, cancellationToken), metrics, "presence");

    public ValueTask<bool> AddRoomMemberAsync(string room, string nickname, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.AddRoomMemberAsync(room, nickname, cancellationToken), metrics, "room_presence");

    public ValueTask<bool> RemoveRoomMemberAsync(string room, string nickname) =>
        MeteredCall.CountingFailureAsync(inner.RemoveRoomMemberAsync(room, nickname), metrics, "room_presence");

    public ValueTask<IReadOnlyList<string>> GetRoomMembersAsync(string room, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.GetRoomMembersAsync(room, cancellationToken), metrics, "room_members");

    public ValueTask<IReadOnlyList<RoomCount>> GetRoomCountsAsync(CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.GetRoomCountsAsync(cancellationToken), metrics, "room_list");

    public ValueTask<bool> TryTakeTypingTurnAsync(string user, string scope, TimeSpan every, CancellationToken cancellationToken) =>
        MeteredCall.CountingFailureAsync(inner.TryTakeTypingTurnAsync(user, scope, every, cancellationToken), metrics, "typing");
}
