namespace Fleck.Chat.Browser.Tests.Support;

/// <summary>Bounds that keep a stuck browser or server from hanging the run on a loaded 2-core machine.</summary>
internal static class Timeouts
{
    /// <summary>Longest any single browser step (a click, an expected text) may take.</summary>
    public const float StepMs = 20_000;

    /// <summary>Longest a whole test may take.</summary>
    public const int TestMs = 120_000;
}
