using System.Runtime.CompilerServices;
using Fleck.Chat.Redis;
using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host;

/// <summary>
/// The one place the host touches Redis. It is only called when --redis is given, and the runtime
/// loads an assembly when a method that uses it is first compiled, so without the flag no Redis
/// assembly is ever loaded.
/// </summary>
internal static class RedisConnector
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Task<IChatBackplane> ConnectAsync(string configuration, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        RedisBackplane.ConnectAsync(configuration, loggerFactory, cancellationToken);

    /// <summary>The ban list every host of the chat shares, over <paramref name="backplane"/>'s connection.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IBanList BansOf(IChatBackplane backplane) => ((RedisBackplane)backplane).CreateBanList();
}
