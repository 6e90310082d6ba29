namespace Fleck.Chat.Tests.Support;

internal static class TestTimeouts
{
    /// <summary>Generous bound for any single test step on a loaded 2-core machine; a hang fails instead of blocking the run.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(20);

    /// <summary>What the product promises for recovery (a dead node noticed, traffic resumed after an outage).</summary>
    public static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    public static CancellationToken Token() => new CancellationTokenSource(Step).Token;

    public static CancellationToken Token(TimeSpan bound) => new CancellationTokenSource(bound).Token;
}
