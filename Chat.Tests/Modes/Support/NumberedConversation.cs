using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Modes.Support;

/// <summary>
/// One member sends numbered messages ("1", "2", ...) while others connect one after another, so
/// that joins land among the messages; when all have joined and a few more messages have gone, the
/// sender sends <see cref="EndMarker"/>.
/// </summary>
internal static class NumberedConversation
{
    public const string EndMarker = "end";

    /// <summary>Bound on the messages sent while waiting for the joiners.</summary>
    private const int MaxMessages = 2000;

    /// <param name="sender">Joined as <paramref name="senderName"/>; its own messages come back to it.</param>
    /// <param name="connect">Opens joiner number i (connected, not yet joined: its first event must be recorded too).</param>
    /// <returns>The number of numbered messages sent, and what each joiner saw.</returns>
    public static async Task<(int Sent, JoinTranscript[] Transcripts)> RunAsync(
        TypedClient sender, string senderName, int joiners, Func<int, CancellationToken, Task<(string Nickname, TypedClient Client)>> connect, CancellationToken ct)
    {
        var recordings = new List<Task<JoinTranscript>>();
        var joined = new List<Task>();
        var sent = 0;
        async Task SendAsync(string text)
        {
            await sender.SendTextAsync(text, ct);
            // Pace on the echo now and then: the server's queue stays short, so the joins really
            // happen among the messages instead of before or after a backlog of them.
            if (text == EndMarker || sent % 3 == 0)
            {
                while ((await sender.ReceiveEventAsync("message", ct)).GetProperty("msg").GetString() != text)
                {
                }
            }
        }

        while (sent < MaxMessages && (recordings.Count < joiners || !joined.All(t => t.IsCompleted)))
        {
            sent++;
            await SendAsync(sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (recordings.Count < joiners && sent % 2 == 0)
            {
                var number = recordings.Count;
                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                joined.Add(tcs.Task);
                recordings.Add(Task.Run(async () =>
                {
                    try
                    {
                        var (nickname, client) = await connect(number, ct);
                        return await JoinTranscript.RecordAsync(client, nickname, senderName, EndMarker, tcs, ct);
                    }
                    catch (Exception ex)
                    {
                        tcs.TrySetException(ex);
                        throw;
                    }
                }, ct));
            }
        }
        await Task.WhenAll(joined).WaitAsync(ct);
        for (var i = 0; i < 10; i++)
        {
            sent++;
            await SendAsync(sent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        await SendAsync(EndMarker);
        return (sent, await Task.WhenAll(recordings).WaitAsync(ct));
    }
}
