using System.Net;
using System.Text;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host.Api;

/// <summary>How the server API answers malformed requests: too large, not JSON, fields missing, wrong method. One host serves every test.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class ApiRequestTests
{
    private const int Limit = 64 * 1024;
    private HostProcess? _host;

    private int HttpPort => _host!.HttpPort;

    [OneTimeSetUp]
    public async Task StartHostAsync() => _host = await ApiHost.StartAsync("nick-broadcast", TestTimeouts.Token());

    [OneTimeTearDown]
    public async Task StopHostAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Test]
    public async Task A_body_past_64_KiB_gets_413_whether_its_length_is_declared_or_chunked()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        using var api = new ApiClient(HttpPort, ApiHost.Key);
        var tooBig = "{\"msg\":\"" + new string('a', Limit) + "\"}";
        var justFits = "{\"msg\":\"" + new string('a', Limit - 10) + "\"}";

        var declared = await api.PostAsync("/api/publish", tooBig, ct);
        var chunked = await api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = new ChunkedContent(Encoding.UTF8.GetBytes(tooBig)) }, ct);
        var fits = await api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = new ChunkedContent(Encoding.UTF8.GetBytes(justFits)) }, ct);

        Assert.That(declared.Status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(declared.Error, Is.EqualTo("too_large"));
        Assert.That(chunked.Status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(chunked.Error, Is.EqualTo("too_large"));
        Assert.That(Encoding.UTF8.GetByteCount(justFits), Is.EqualTo(Limit));
        Assert.That(fits.Status, Is.EqualTo(HttpStatusCode.OK), "exactly 64 KiB is allowed");
    }

    [TestCase("/api/publish", "{\"msg\":")]
    [TestCase("/api/publish", "not json at all")]
    [TestCase("/api/publish", "")]
    [TestCase("/api/publish", "null")]
    [TestCase("/api/publish", "[\"msg\"]")]
    [TestCase("/api/publish", "{\"msg\":42}")]
    [TestCase("/api/send", "{\"to\":[\"bob\"],\"msg\":\"hi\"}")]
    [TestCase("/api/disconnect", "{\"user\":")]
    public async Task A_body_that_is_not_the_expected_json_object_gets_400_invalid_json_with_a_message(string path, string body)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        using var api = new ApiClient(HttpPort, ApiHost.Key);

        var answer = await api.PostAsync(path, body, ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(answer.ContentHeaders.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(answer.Error, Is.EqualTo("invalid_json"));
        Assert.That(answer.Json!.Value.GetProperty("message").GetString(), Is.Not.Empty);
    }

    [TestCase("/api/publish", "{}", "msg")]
    [TestCase("/api/publish", "{\"msg\":\"\"}", "msg")]
    [TestCase("/api/publish", "{\"text\":\"hello\"}", "msg")]
    [TestCase("/api/send", "{\"msg\":\"hello\"}", "to")]
    [TestCase("/api/send", "{\"to\":\"  \",\"msg\":\"hello\"}", "to")]
    [TestCase("/api/send", "{\"to\":\"bob\"}", "msg")]
    [TestCase("/api/disconnect", "{}", "user")]
    public async Task A_missing_or_empty_field_gets_400_missing_field_naming_it(string path, string body, string field)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        using var api = new ApiClient(HttpPort, ApiHost.Key);

        var answer = await api.PostAsync(path, body, ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(answer.Error, Is.EqualTo("missing_field"));
        Assert.That(answer.Json!.Value.GetProperty("field").GetString(), Is.EqualTo(field));
    }

    [TestCase("GET", "/api/publish", "POST")]
    [TestCase("PUT", "/api/send", "POST")]
    [TestCase("DELETE", "/api/disconnect", "POST")]
    [TestCase("POST", "/api/presence", "GET")]
    public async Task A_wrong_method_gets_405_with_the_allowed_one(string method, string path, string allowed)
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        using var api = new ApiClient(HttpPort, ApiHost.Key);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        var answer = await api.SendAsync(request, ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(answer.ContentHeaders.Allow, Is.EqualTo(new[] { allowed }));
        Assert.That(answer.Error, Is.EqualTo("method_not_allowed"));
    }

    [Test]
    public async Task A_body_that_stalls_gets_408_after_10_seconds_and_the_connection_is_closed()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, HttpPort, ct);
        var stream = tcp.GetStream();
        var head = $"POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1:{HttpPort}\r\nAuthorization: Bearer {ApiHost.Key}\r\nContent-Length: 100\r\n\r\n{{\"msg\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);

        // The server's own timeout ends the wait; the test's token only bounds it.
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync(ct);

        Assert.That(answer, Does.StartWith("HTTP/1.1 408 "));
        Assert.That(answer, Does.Contain("Connection: close"));
        Assert.That(answer, Does.EndWith("{\"error\":\"timeout\",\"message\":\"The request took longer than 10 s.\"}"));
    }

    /// <summary>A body sent without Content-Length, so HttpClient uses chunked transfer encoding.</summary>
    private sealed class ChunkedContent(byte[] data) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
