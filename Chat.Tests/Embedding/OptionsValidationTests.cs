using Fleck.Chat.Modes;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Embedding;

/// <summary>
/// A setting out of range is refused when the server is created, with the option's name, rather
/// than failing later on a message or a connection.
/// </summary>
[Parallelizable(ParallelScope.All)]
public sealed class OptionsValidationTests
{
    private static IEnumerable<TestCaseData> BadChatOptions()
    {
        yield return new TestCaseData(new ChatServerOptions { HistorySize = -1 }, "HistorySize");
        yield return new TestCaseData(new ChatServerOptions { MaxRoomsPerMember = 0 }, "MaxRoomsPerMember");
        yield return new TestCaseData(new ChatServerOptions { HistorySize = 60, Retain = 59 }, "Retain");
        yield return new TestCaseData(new ChatServerOptions { RetainBytes = -1 }, "RetainBytes");
        yield return new TestCaseData(new ChatServerOptions { HistoryMemory = -1 }, "HistoryMemory");
        yield return new TestCaseData(new ChatServerOptions { StreamTtl = TimeSpan.Zero }, "StreamTtl");
        yield return new TestCaseData(new ChatServerOptions { MaxStreams = 0 }, "MaxStreams");
        yield return new TestCaseData(new ChatServerOptions { MessagesPerSecond = -1 }, "MessagesPerSecond");
        yield return new TestCaseData(new ChatServerOptions { MessagesPerSecond = double.NaN }, "MessagesPerSecond");
        yield return new TestCaseData(new ChatServerOptions { MessageBurst = 0 }, "MessageBurst");
        yield return new TestCaseData(new ChatServerOptions { Transport = new() { Port = -1 } }, "Port");
    }

    private static IEnumerable<TestCaseData> BadTransportOptions()
    {
        yield return new TestCaseData(new WebSocketServerOptions { Port = 65536 }, "Port");
        yield return new TestCaseData(new WebSocketServerOptions { MaxHandshakeBytes = 0 }, "MaxHandshakeBytes");
        yield return new TestCaseData(new WebSocketServerOptions { HandshakeTimeout = TimeSpan.Zero }, "HandshakeTimeout");
        yield return new TestCaseData(new WebSocketServerOptions { MaxMessageBytes = 0 }, "MaxMessageBytes");
        yield return new TestCaseData(new WebSocketServerOptions { MaxConnections = 0 }, "MaxConnections");
        yield return new TestCaseData(new WebSocketServerOptions { MaxQueuedMessages = 0 }, "MaxQueuedMessages");
        yield return new TestCaseData(new WebSocketServerOptions { MaxQueuedBytes = -1 }, "MaxQueuedBytes");
        yield return new TestCaseData(new WebSocketServerOptions { MaxControlFramesPerSecond = -1 }, "MaxControlFramesPerSecond");
        yield return new TestCaseData(new WebSocketServerOptions { MaxFragmentsPerMessage = 1_000_001 }, "MaxFragmentsPerMessage");
        yield return new TestCaseData(new WebSocketServerOptions { MessageAssemblyTimeout = TimeSpan.FromSeconds(-1) }, "MessageAssemblyTimeout");
        yield return new TestCaseData(new WebSocketServerOptions { MaxConnectionsPerAddress = -1 }, "MaxConnectionsPerAddress");
        yield return new TestCaseData(new WebSocketServerOptions { MaxPendingHandshakesPerAddress = -1 }, "MaxPendingHandshakesPerAddress");
        yield return new TestCaseData(new WebSocketServerOptions { HandshakesPerSecondPerAddress = double.PositiveInfinity }, "HandshakesPerSecondPerAddress");
        yield return new TestCaseData(new WebSocketServerOptions { HandshakeBurstPerAddress = 0 }, "HandshakeBurstPerAddress");
        yield return new TestCaseData(new WebSocketServerOptions { WriteTimeout = TimeSpan.Zero }, "WriteTimeout");
        yield return new TestCaseData(new WebSocketServerOptions { KeepAliveInterval = TimeSpan.FromDays(30) }, "KeepAliveInterval");
        yield return new TestCaseData(new WebSocketServerOptions { KeepAliveTimeout = TimeSpan.Zero }, "KeepAliveTimeout");
        yield return new TestCaseData(new WebSocketServerOptions { CloseTimeout = TimeSpan.FromSeconds(-1) }, "CloseTimeout");
    }

    [TestCaseSource(nameof(BadChatOptions))]
    public void A_chat_server_with_an_option_out_of_range_is_not_created(ChatServerOptions options, string option)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ChatServer(new NickBroadcastMode(), options));

        Assert.That(error!.ParamName, Is.EqualTo(option));
        Assert.That(error.Message, Does.Contain(option));
    }

    [TestCaseSource(nameof(BadTransportOptions))]
    public void A_websocket_server_with_an_option_out_of_range_is_not_created(WebSocketServerOptions options, string option)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new WebSocketServer(options, new EchoHandler()));

        Assert.That(error!.ParamName, Is.EqualTo(option));
    }

    [TestCaseSource(nameof(BadTransportOptions))]
    public void A_chat_server_checks_its_transport_options_too(WebSocketServerOptions options, string option)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ChatServer(new NickBroadcastMode(), new ChatServerOptions { Transport = options }));

        Assert.That(error!.ParamName, Is.EqualTo(option));
    }

    [Test]
    public async Task The_edges_of_every_range_are_accepted()
    {
        var options = new ChatServerOptions
        {
            HistorySize = 0,
            MaxRoomsPerMember = 1,
            MessagesPerSecond = 0,
            MessageBurst = 1,
            Transport = new()
            {
                Port = 0,
                MaxControlFramesPerSecond = 0,
                MaxFragmentsPerMessage = 0,
                MessageAssemblyTimeout = TimeSpan.Zero,
                MaxConnectionsPerAddress = 0,
                MaxPendingHandshakesPerAddress = 0,
                HandshakesPerSecondPerAddress = 0,
                KeepAliveInterval = TimeSpan.Zero,
                CloseTimeout = TimeSpan.Zero,
            },
        };

        await using var server = new ChatServer(new NickBroadcastMode(), options);

        Assert.That(server.Options, Is.SameAs(options));
    }
}
