using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Fleck.Chat.Tests.Support;
using Fleck.Chat.Transport;

namespace Fleck.Chat.Tests.Transport;

/// <summary>RFC 6455 §4: the opening handshake, and every way a request is refused without being held open.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class HandshakeTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Request(string path = "/echo", string method = "GET", string version = "13", string? key = Key, string extra = "", bool host = true, string upgrade = "websocket") =>
        $"{method} {path} HTTP/1.1\r\n" + (host ? "Host: 127.0.0.1\r\n" : "") +
        (upgrade.Length > 0 ? $"Upgrade: {upgrade}\r\n" : "") + "Connection: keep-alive, Upgrade\r\n" +
        (key is null ? "" : $"Sec-WebSocket-Key: {key}\r\n") + $"Sec-WebSocket-Version: {version}\r\n" + extra + "\r\n";

    private static async Task<string> ExchangeAsync(EchoServer server, string request, CancellationToken ct)
    {
        await using var client = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);
        await client.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
        return await client.ReadToEndAsync(ct);
    }

    [Test]
    public async Task The_rfc_sample_key_gets_the_rfc_sample_accept_in_an_exact_101_response()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { EnableCompression = false });
        await using var client = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);

        await client.WriteAsync(Encoding.ASCII.GetBytes(Request()), ct);
        var head = await client.ReadHttpHeadAsync(ct);

        Assert.That(head, Is.EqualTo(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"));
    }

    [TestCase("GARBAGE\r\n\r\n", 400)]
    [TestCase("GET /echo\r\n\r\n", 400)]
    [TestCase("GET /echo HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", 400)]
    [TestCase("GET /echo HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)]
    public async Task A_malformed_request_is_answered_400_and_closed(string request, int status)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();

        var response = await ExchangeAsync(server, request, ct);

        Assert.That(response, Does.StartWith($"HTTP/1.1 {status} "));
    }

    [Test]
    public async Task An_unknown_path_is_404()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        Assert.That(await ExchangeAsync(server, Request("/nowhere"), ct), Does.StartWith("HTTP/1.1 404 "));
    }

    [Test]
    public async Task The_404_answer_is_marked_nosniff_and_does_not_repeat_the_path()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();

        var response = await ExchangeAsync(server, Request("/%3Cscript%3Ealert(1)%3C/script%3E"), ct);

        Assert.That(response, Does.StartWith("HTTP/1.1 404 "));
        Assert.That(response, Does.Contain("\r\nX-Content-Type-Options: nosniff\r\n"));
        Assert.That(response, Does.Not.Contain("script").IgnoreCase);
    }

    [TestCase("POST", "13", 405)]
    [TestCase("GET", "8", 426)]
    public async Task Every_refusal_is_marked_nosniff(string method, string version, int status)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();

        var response = await ExchangeAsync(server, Request(method: method, version: version), ct);

        Assert.That(response, Does.StartWith($"HTTP/1.1 {status} "));
        Assert.That(response, Does.Contain("\r\nX-Content-Type-Options: nosniff\r\n"));
    }

    [Test]
    public async Task A_post_is_405_with_allow_get()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        var response = await ExchangeAsync(server, Request(method: "POST"), ct);
        Assert.That(response, Does.StartWith("HTTP/1.1 405 "));
        Assert.That(response, Does.Contain("Allow: GET"));
    }

    [Test]
    public async Task Another_version_is_426_naming_version_13()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        var response = await ExchangeAsync(server, Request(version: "8"), ct);
        Assert.That(response, Does.StartWith("HTTP/1.1 426 "));
        Assert.That(response, Does.Contain("Sec-WebSocket-Version: 13"));
    }

    [TestCase(null)]
    [TestCase("short")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
    public async Task A_missing_or_malformed_key_is_400(string? key)
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        Assert.That(await ExchangeAsync(server, Request(key: key), ct), Does.StartWith("HTTP/1.1 400 "));
    }

    [Test]
    public async Task A_missing_host_header_is_400()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        Assert.That(await ExchangeAsync(server, Request(host: false), ct), Does.StartWith("HTTP/1.1 400 "));
    }

    [Test]
    public async Task A_plain_http_get_gets_a_short_answer_not_a_hang()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync($"http://127.0.0.1:{server.Port}/echo", ct);

        Assert.That((int)response.StatusCode, Is.EqualTo(426));
    }

    [Test]
    public async Task An_oversized_header_block_is_431_and_closed()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxHandshakeBytes = 1024 });
        var response = await ExchangeAsync(server, Request(extra: "X-Big: " + new string('a', 2000) + "\r\n"), ct);
        Assert.That(response, Does.StartWith("HTTP/1.1 431 "));
    }

    [Test]
    public async Task A_stalled_request_is_dropped_after_the_handshake_timeout()
    {
        var ct = TestTimeouts.Token();
        var timeout = TimeSpan.FromMilliseconds(800);
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { HandshakeTimeout = timeout });
        // Started before the connection exists, so it cannot start later than the server's own timer.
        var waited = Stopwatch.StartNew();
        await using var client = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);

        await client.WriteAsync(Encoding.ASCII.GetBytes("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"), ct);

        // The server hangs up by itself, with no answer; the test's own timeout is the only other way out.
        Assert.That(await client.ReadToEndAsync(ct), Is.Empty);
        // Timers may round to the clock's tick, a few milliseconds.
        Assert.That(waited.Elapsed, Is.GreaterThanOrEqualTo(timeout - TimeSpan.FromMilliseconds(20)), "not before the timeout");
        // Counted as a timeout for the metrics, once the server has finished with it.
        var counted = await Retry.UntilAsync(_ => Task.FromResult(server.Server.Counters.Refused(HandshakeRefusalReason.Timeout)),
            n => n > 0, TimeSpan.FromSeconds(10), ct);
        Assert.That(counted, Is.EqualTo(1));
    }

    [Test]
    public async Task An_origin_outside_the_allow_list_is_403_and_a_listed_one_connects()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { AllowedOrigins = ["https://chat.example.com"] });

        var refused = await ExchangeAsync(server, Request(extra: "Origin: https://evil.example.com\r\n"), ct);
        await using var allowed = await server.ConnectRawAsync(ct, extraHeaders: "Origin: https://CHAT.example.com\r\n");

        Assert.That(refused, Does.StartWith("HTTP/1.1 403 "));
        await allowed.SendTextAsync("in", ct);
        Assert.That((await allowed.ReadFrameAsync(ct))!.Text, Is.EqualTo("in"));
    }

    [Test]
    public async Task The_first_supported_subprotocol_is_selected()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { SubProtocols = ["chat.v2", "chat.v1"] });
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("chat.v1");
        client.Options.AddSubProtocol("chat.v2");

        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/echo"), ct);

        Assert.That(client.SubProtocol, Is.EqualTo("chat.v2"));
    }

    [Test]
    public async Task Permessage_deflate_is_negotiated_when_offered_and_compressed_messages_work()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;

        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/echo"), ct);
        var text = string.Concat(Enumerable.Repeat("compressible ", 5000));
        await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

        Assert.That(client.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single(), Does.StartWith("permessage-deflate"));
        Assert.That(await EchoTests.ReceiveTextAsync(client, ct), Is.EqualTo(text));
        Assert.That(server.Handler.Opened.Single().IsCompressionEnabled, Is.True);
    }

    [Test]
    public async Task Permessage_deflate_is_not_negotiated_when_turned_off()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { EnableCompression = false });
        await using var client = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);

        await client.WriteAsync(Encoding.ASCII.GetBytes(Request(extra: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")), ct);
        var head = await client.ReadHttpHeadAsync(ct);

        Assert.That(head, Does.StartWith("HTTP/1.1 101 "));
        Assert.That(head, Does.Not.Contain("Sec-WebSocket-Extensions"));
    }

    [Test]
    public async Task A_first_frame_sent_with_the_request_is_not_lost()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync();
        await using var client = await RawWebSocketClient.ConnectTcpAsync(server.Port, ct);

        await client.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes(Request()), .. RawWebSocketClient.Frame(0x1, "eager"u8)], ct);
        await client.ReadHttpHeadAsync(ct);

        Assert.That((await client.ReadFrameAsync(ct))!.Text, Is.EqualTo("eager"));
    }

    [Test]
    public async Task The_server_listens_on_ipv6()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { Address = IPAddress.IPv6Loopback });
        using var client = new ClientWebSocket();

        await client.ConnectAsync(new Uri($"ws://[::1]:{server.Port}/echo"), ct);
        await client.SendAsync("over v6"u8.ToArray(), WebSocketMessageType.Text, true, ct);

        Assert.That(await EchoTests.ReceiveTextAsync(client, ct), Is.EqualTo("over v6"));
    }

    [Test]
    public async Task Past_the_connection_limit_clients_get_503()
    {
        var ct = TestTimeouts.Token();
        await using var server = await EchoServer.StartAsync(new WebSocketServerOptions { MaxConnections = 1 });
        await using var first = await server.ConnectRawAsync(ct);

        var response = await ExchangeAsync(server, Request(), ct);

        Assert.That(response, Does.StartWith("HTTP/1.1 503 "));
    }

    [Test]
    public async Task A_busy_port_throws_address_in_use()
    {
        await using var first = await EchoServer.StartAsync();
        var second = new WebSocketServer(new WebSocketServerOptions { Port = first.Port }, new EchoHandler());

        var ex = await Assert.ThrowsAsync<SocketException>(() => second.StartAsync());

        Assert.That(ex!.SocketErrorCode, Is.EqualTo(SocketError.AddressAlreadyInUse));
        await second.DisposeAsync();
    }
}
