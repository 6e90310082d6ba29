using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// The in-memory backplane with a gate after a nickname's release: the name is free in the shared
/// state, and the leaving connection waits there, so a test can run a new claim of the name in that gap.
/// </summary>
internal sealed class GatedReleaseBackplane : ForwardingBackplane
{
    /// <summary>A release (exclusive or shared) waits here once the name is free.</summary>
    public GatedHistoryBackplane.Gate AfterRelease { get; } = new();

    public override async ValueTask ReleaseNicknameAsync(string nickname)
    {
        await Inner.Presence.ReleaseNicknameAsync(nickname);
        await AfterRelease.PassAsync();
    }

    public override async ValueTask<bool> ReleaseSharedNicknameAsync(string nickname)
    {
        var last = await Inner.Presence.ReleaseSharedNicknameAsync(nickname);
        await AfterRelease.PassAsync();
        return last;
    }
}
