using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Recovery;

/// <summary>
/// The hard case: several members keep sending while one client drops its connection again and
/// again and resumes each time. Across all its connections it must see every offset once, in order.
/// </summary>
[CancelAfter(120_000)]
public sealed class ResumeWhileOthersSendTests
{
    private const int Senders = 3;
    private const int Reconnects = 6;

    [Test]
    public async Task A_client_reconnecting_while_three_members_send_sees_every_offset_once_in_order()
    {
        var ct = TestTimeouts.Token(TimeSpan.FromSeconds(100));
        // Everything stays kept, so every resume can succeed however long a reconnect takes.
        await using var host = await RecoveryHost.StartAsync(ct, "--history", "20000", "--retain", "20000");
        var reader = new ResumingReader();
        var (total, resumesWhileSending) = await ConcurrentSenders.RunAsync(Senders, Reconnects, reader,
            (n, token) => RecoveryHost.JoinAsync(host, $"sender{n}", token).ContinueWith(t => t.Result.Client, token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default),
            (n, query, token) => TypedClient.ConnectAsync(host.WebSocketPort, $"/websocket/reader{n}" + query, token), ct);

        TestContext.Out.WriteLine($"{total} messages, {reader.Resumes.Count} resumes, {resumesWhileSending} while the senders were sending");
        Assert.That(reader.Offsets, Is.EqualTo(Enumerable.Range(1, (int)total).Select(i => (long)i)), "every offset once, in order");
        Assert.That(reader.Resumes, Is.All.True);
        Assert.That(resumesWhileSending, Is.GreaterThanOrEqualTo(Reconnects));
    }
}
