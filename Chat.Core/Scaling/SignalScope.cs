namespace Fleck.Chat.Scaling;

/// <summary>Who a signal (<see cref="INodeBus.PublishSignal"/>: typing, read markers) is for.</summary>
public enum SignalScope
{
    /// <summary>The members of a stream (a room, or nick-broadcast's chat) on the nodes subscribed to it, but the excepted user's.</summary>
    Stream,

    /// <summary>The connections of one user (a nickname), on every node.</summary>
    User,
}
