using System.Runtime.CompilerServices;
using Fleck.Chat.Scaling;
using Fleck.Chat.Sqlite;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host;

/// <summary>
/// The one place the host touches SQLite, only called with --store (so without it the SQLite
/// assemblies and native library are never loaded, as with <see cref="RedisConnector"/>).
/// </summary>
internal static class StoreConnector
{
    /// <summary>A single-node backplane whose streams are kept in <paramref name="file"/>; it owns (and at shutdown flushes and closes) the store.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<IChatBackplane> OpenAsync(string file, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var store = await SqliteChatStreamStore.OpenAsync(file, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (store.RecoveredFromCrash)
        {
            loggerFactory.CreateLogger("Chat.Host").LogWarning(
                "The store {File} was not closed cleanly: its history is kept, but every stream starts a new epoch (resuming clients are told messages may be missing)", file);
        }
        return new InMemoryBackplane(store);
    }

    /// <summary>The ban list kept in the same file as the streams, so bans survive a restart too.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<IBanList> OpenBansAsync(string file, CancellationToken cancellationToken) =>
        await SqliteBanList.OpenAsync(file, cancellationToken).ConfigureAwait(false);
}
