namespace Fleck.Chat.Tests.Support;

/// <summary>
/// Bounds that turn a hang into a failure on a loaded 2-core machine. Every token made here also
/// ends when NUnit cancels the running test (<c>[CancelAfter]</c> cancels only the token NUnit
/// hands the test), so a test that waits on these tokens really stops at its <c>[CancelAfter]</c>.
/// </summary>
internal static class TestTimeouts
{
    /// <summary><see cref="Step"/> in milliseconds, for APIs that take a number (Playwright's timeouts).</summary>
    public const int StepMilliseconds = 20_000;

    /// <summary>Generous bound for any single test step on a loaded 2-core machine; a hang fails instead of blocking the run.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(StepMilliseconds);

    /// <summary>What the product promises for recovery (a dead node noticed, traffic resumed after an outage).</summary>
    public static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    /// <summary>A token cancelled after <see cref="Step"/>, or sooner when NUnit cancels the current test.</summary>
    public static CancellationToken Token() => Token(Step);

    /// <summary>A token cancelled after <paramref name="bound"/>, or sooner when NUnit cancels the current test.</summary>
    public static CancellationToken Token(TimeSpan bound)
    {
        // Not disposed: the test owns the token until it ends, and the timer goes with the source.
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CurrentContext.CancellationToken);
        source.CancelAfter(bound);
        return source.Token;
    }
}
