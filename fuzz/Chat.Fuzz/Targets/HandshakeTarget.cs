using Fleck.Chat.Modes;
using Fleck.Chat.Transport;
using Fleck.Chat.Transport.Handshake;

namespace Fleck.Chat.Fuzz;

/// <summary>
/// The HTTP upgrade request as a client sends it: <see cref="HandshakeReader"/> (and through it
/// <see cref="UpgradeRequest.TryParse"/>), then <see cref="UpgradeNegotiator.Negotiate"/> with
/// <see cref="DeflateNegotiation"/>, then the nickname a path like <c>/websocket/&lt;nick&gt;</c> asks for.
/// </summary>
/// <remarks>
/// Expected: any <see cref="HandshakeReadStatus"/>, any refusal. Unexpected: an exception; the
/// same bytes read differently when they arrive in small pieces; headers that parse differently
/// from the kept raw head; a response that is not well-formed HTTP or does not match what was
/// negotiated (see <see cref="HandshakeResponseCheck"/>).
/// </remarks>
internal static class HandshakeTarget
{
    /// <summary>Smaller than the 8 KiB default so that afl's inputs also reach the size limit.</summary>
    private const int MaxHandshakeBytes = 2048;

    private static readonly WebSocketServerOptions[] Options =
    [
        new() { SubProtocols = ["chat", "superchat"] },
        new() { EnableCompression = false, AllowedOrigins = ["http://127.0.0.1:8080"] },
    ];

    private static readonly Func<string, bool>[] PathRules =
    [
        new BroadcastMode().AcceptsPath,
        new NickBroadcastMode().AcceptsPath,
    ];

    public static void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        var whole = Read(new MemoryStream(bytes, writable: false));
        var dribbled = Read(new DribbleStream(bytes));
        FuzzInvariantException.Check(whole.Status == dribbled.Status, $"the same bytes read as {whole.Status} at once and {dribbled.Status} in pieces");
        FuzzInvariantException.Check(whole.Leftover.Span.StartsWith(dribbled.Leftover.Span), "bytes after the head were lost or changed when read in pieces");
        if (whole.Request is not { } request)
        {
            FuzzInvariantException.Check(whole.Status != HandshakeReadStatus.Complete, "a complete read without a request");
            return;
        }
        FuzzInvariantException.Check(request.RawHead.AsSpan().SequenceEqual(dribbled.Request!.RawHead), "the head differs when read in pieces");
        var reparsed = UpgradeRequest.ParseHeaders(request.RawHead);
        FuzzInvariantException.Check(
            reparsed.Count == request.Headers.Count && request.Headers.All(h => reparsed.TryGetValue(h.Key, out var v) && v == h.Value),
            "the kept raw head parses to other headers");

        foreach (var options in Options)
        {
            foreach (var acceptsPath in PathRules)
            {
                var outcome = UpgradeNegotiator.Negotiate(request, options, acceptsPath);
                HandshakeResponseCheck.Verify(request, options, outcome);
            }
        }
        if (new NickBroadcastMode().AcceptsPath(request.Path) && NicknameChatMode.NicknameFromPath(request.Path) is { } requested)
        {
            NicknameCheck.Verify(requested);
        }
    }

    private static HandshakeRead Read(Stream stream) =>
        HandshakeReader.ReadAsync(stream, MaxHandshakeBytes, CancellationToken.None).AsTask().GetAwaiter().GetResult();
}
