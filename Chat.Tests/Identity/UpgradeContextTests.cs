using System.Text;
using Fleck.Chat.Identity;
using Fleck.Chat.Transport.Handshake;

namespace Fleck.Chat.Tests.Identity;

/// <summary>What an authenticator sees of the upgrade request.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class UpgradeContextTests
{
    private static UpgradeContext Request(string target, string headers = "") =>
        new(UpgradeRequest.TryParse(Encoding.Latin1.GetBytes($"GET {target} HTTP/1.1\r\nHost: chat{headers}"))!, null, isSecure: false);

    [Test]
    public void The_query_is_percent_decoded_and_the_first_of_repeated_names_wins()
    {
        var request = Request("/websocket/al%20ice?access_token=a.b.c&room=caf%C3%A9+bar&flag&room=second");

        Assert.That(request.Path, Is.EqualTo("/websocket/al%20ice"));
        Assert.That(request.Query["access_token"], Is.EqualTo("a.b.c"));
        Assert.That(request.Query["room"], Is.EqualTo("café bar"));
        Assert.That(request.Query["flag"], Is.EqualTo(""));
    }

    [Test]
    public void Cookies_are_read_from_every_cookie_field()
    {
        var request = Request("/websocket", "\r\nCookie: session=abc123; theme=\"dark\"\r\nCookie: lang=en");

        Assert.That(request.Cookies["session"], Is.EqualTo("abc123"));
        Assert.That(request.Cookies["theme"], Is.EqualTo("dark"));
        Assert.That(request.Cookies["lang"], Is.EqualTo("en"));
        Assert.That(request.Headers["host"], Is.EqualTo("chat"));
    }

    [Test]
    public void A_refusal_cannot_smuggle_header_lines()
    {
        Assert.Throws<ArgumentException>(() => AuthenticationResult.Refuse(401, "no", new KeyValuePair<string, string>("WWW-Authenticate", "Bearer\r\nSet-Cookie: x=1")));
        Assert.Throws<ArgumentOutOfRangeException>(() => AuthenticationResult.Refuse(200, "ok"));
    }
}
