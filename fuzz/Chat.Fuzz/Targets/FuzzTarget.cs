namespace Fleck.Chat.Fuzz;

/// <summary>One untrusted-input path of Chat.Core, driven by arbitrary bytes.</summary>
/// <remarks>
/// A target returns normally for every input the product handles as designed, refusals included.
/// It throws for anything else: an exception escaping the product code, or a broken promise,
/// which it reports as <see cref="FuzzInvariantException"/>. afl counts either as a crash.
/// </remarks>
internal delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>The targets by the name <c>fuzz/run.sh</c>, the corpus folders and the replay tests use.</summary>
internal static class FuzzTargets
{
    public static IReadOnlyDictionary<string, FuzzTarget> All { get; } = new Dictionary<string, FuzzTarget>
    {
        ["handshake"] = HandshakeTarget.Run,
        ["frames"] = FrameTarget.Run,
        ["messages"] = MessageTarget.Run,
    };
}

/// <summary>The product did something it promises never to do for any input.</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message)
{
    public static void Check(bool condition, string promise)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(promise);
        }
    }
}
