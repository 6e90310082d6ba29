namespace Fleck.Chat.Scaling;

/// <summary>Outcome of <see cref="IPresence.TryClaimSharedNicknameAsync"/>.</summary>
public enum SharedClaimResult
{
    /// <summary>The name is held exclusively (by a member without identity): not claimed.</summary>
    Taken,

    /// <summary>Claimed, and no other node held a share: the user has just come online.</summary>
    First,

    /// <summary>Claimed, and another node already holds a share: the user was online already.</summary>
    Again,
}
