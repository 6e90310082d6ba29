using Fleck.Chat.Scaling;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host;

/// <summary>
/// The one place the host touches Redis. It is only called when --redis is given, so without the
/// flag no Redis assembly is ever loaded.
/// </summary>
internal static class RedisConnector
{
    public static Task<IChatBackplane> ConnectAsync(string configuration, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this build has no Redis support");
}
