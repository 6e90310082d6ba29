using System.Net;
using System.Net.Sockets;
using System.Text;
using Fleck.Chat.Host;
using Fleck.Chat.Host.Cli;
using Fleck.Chat.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleck.Chat.Tests.Host;

/// <summary>
/// The pages server, run in-process as the host wires it: routes, content types, 404s, and no way
/// out of the static folder, whatever encoding a request uses.
/// </summary>
[CancelAfter(60_000)]
public sealed class StaticFileServerTests
{
    private string _sandbox = "";
    private HostedChat? _chat;

    private HostedChat Chat => _chat ?? throw new InvalidOperationException("not started");

    /// <summary>A copy of the pages in a temporary folder, with a secret beside it that must never be served.</summary>
    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _sandbox = Directory.CreateTempSubdirectory("fleck-chat-static-").FullName;
        var pages = Path.Combine(_sandbox, "static");
        Directory.CreateDirectory(pages);
        foreach (var file in Directory.GetFiles(StaticFolder.Resolve(null)!))
        {
            File.Copy(file, Path.Combine(pages, Path.GetFileName(file)));
        }
        Directory.CreateDirectory(Path.Combine(_sandbox, "static-secret"));
        await File.WriteAllTextAsync(Path.Combine(_sandbox, "static-secret", "secret.txt"), "top secret");
        await File.WriteAllTextAsync(Path.Combine(_sandbox, "secret.txt"), "top secret");
        var settings = new HostSettings { Mode = "private", WebSocketPort = 0, HttpPort = 0, StaticFolder = pages };
        _chat = await HostedChat.StartAsync(settings, NullLoggerFactory.Instance);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_chat is not null)
        {
            await _chat.DisposeAsync();
        }
        Directory.Delete(_sandbox, recursive: true);
    }

    [TestCase("/../secret.txt")]
    [TestCase("/../../../../etc/passwd")]
    [TestCase("/..%2fsecret.txt")]
    [TestCase("/%2e%2e/secret.txt")]
    [TestCase("/%2e%2e%2fsecret.txt")]
    [TestCase("/..%2fstatic-secret/secret.txt")]
    [TestCase("/..%5csecret.txt")]
    [TestCase("/chat.css%00.txt")]
    [TestCase("/%2fetc%2fpasswd")]
    public async Task A_path_that_leaves_the_static_folder_is_not_found(string path)
    {
        var (status, _, body) = await RawGetAsync(path, TestTimeouts.Token());

        Assert.That(status, Is.EqualTo(404).Or.EqualTo(400));
        Assert.That(body, Does.Not.Contain("top secret").And.Not.Contain("root:"));
    }

    [TestCase("/", "text/html", "Fleck.Chat")]
    [TestCase("/chat", "text/html", "data-mode=\"private\"")]
    [TestCase("/broadcast.html", "text/html", "data-mode=\"broadcast\"")]
    [TestCase("/chat.css", "text/css", ":root")]
    [TestCase("/chat.js", "text/javascript", "textContent")]
    [TestCase("/config.json", "application/json", "\"wsPath\":\"/websocket\"")]
    [TestCase("/healthz", "application/json", "\"mode\":\"private\"")]
    public async Task Pages_are_served_with_their_content_type(string path, string type, string content)
    {
        var ct = TestTimeouts.Token();
        using var http = new HttpClient();

        using var response = await http.GetAsync($"http://127.0.0.1:{Chat.HttpPort}{path}", ct);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo(type));
        Assert.That(await response.Content.ReadAsStringAsync(ct), Does.Contain(content));
    }

    [Test]
    public async Task Html_pages_forbid_inline_script_sniffing_and_referrers()
    {
        var (status, headers, _) = await RawGetAsync("/chat", TestTimeouts.Token());

        Assert.That(status, Is.EqualTo(200));
        Assert.That(headers, Does.Contain("Content-Security-Policy: default-src 'self'; script-src 'self';"));
        Assert.That(headers, Does.Contain("X-Content-Type-Options: nosniff"));
        Assert.That(headers, Does.Contain("Referrer-Policy: no-referrer"));
    }

    [TestCase("/nope.html")]
    [TestCase("/static")]
    [TestCase("/websocket")]
    public async Task A_missing_file_is_404_marked_nosniff(string path)
    {
        var (status, headers, _) = await RawGetAsync(path, TestTimeouts.Token());

        Assert.That(status, Is.EqualTo(404));
        Assert.That(headers, Does.Contain("X-Content-Type-Options: nosniff"));
    }

    [Test]
    public async Task Only_get_and_head_are_answered()
    {
        var ct = TestTimeouts.Token();
        using var http = new HttpClient();

        using var post = await http.PostAsync($"http://127.0.0.1:{Chat.HttpPort}/chat", new StringContent("x"), ct);
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"http://127.0.0.1:{Chat.HttpPort}/chat"), ct);

        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.GreaterThan(0));
    }

    [Test]
    public async Task The_pages_answer_to_localhost_as_well_as_127_0_0_1()
    {
        var (status, _, body) = await RawGetAsync("/config.json", TestTimeouts.Token(), host: "localhost");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Does.Contain($"\"wsPort\":{Chat.WebSocketPort}"));
    }

    /// <summary>Sends the path byte for byte: HttpClient would normalise dot segments and encodings away.</summary>
    private async Task<(int Status, string Headers, string Body)> RawGetAsync(string path, CancellationToken ct, string host = "127.0.0.1")
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Chat.HttpPort, ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}:{Chat.HttpPort}\r\nConnection: close\r\n\r\n"), ct);
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync(ct);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var status = int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, text[..split], text[(split + 4)..]);
    }
}
