using System.Text;
using Fleck.Chat.Client.Connection;
using Fleck.Chat.Client.Sending;
using Fleck.Chat.Client.Wire;
using Fleck.Chat.Client.Tests.Support;
using Fleck.Chat.Tests.Identity;

namespace Fleck.Chat.Client.Tests;

/// <summary>The small deterministic parts: typing throttle, token expiry, addresses, send ids.</summary>
public sealed class ClientPartsTests
{
    [Test]
    public void Typing_passes_once_per_scope_every_two_seconds()
    {
        var clock = new ManualClock();
        var throttle = new TypingThrottle(clock);

        var first = throttle.TryPass("#lobby");
        var again = throttle.TryPass("#lobby");
        var other = throttle.TryPass("@ben");
        clock.Advance(TimeSpan.FromSeconds(2));
        var later = throttle.TryPass("#lobby");

        Assert.That(new[] { first, again, other, later }, Is.EqualTo(new[] { true, false, true, true }));
    }

    [Test]
    public void The_expiry_is_read_from_the_tokens_payload()
    {
        var token = Tokens.For("anna", TimeSpan.FromMinutes(5));

        Assert.That(TokenSource.ReadExpiry(token), Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(Tokens.UnixNow + 300)).Within(TimeSpan.FromSeconds(2)));
    }

    [TestCase("not a token")]
    [TestCase("a.b.c")]
    [TestCase("eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiYW5uYSJ9.x")]
    public void A_token_without_a_readable_expiry_has_none(string token) => Assert.That(TokenSource.ReadExpiry(token), Is.Null);

    [Test]
    public async Task A_token_is_renewed_a_third_of_its_lifetime_before_it_expires()
    {
        var clock = new ManualClock();
        var exp = clock.GetUtcNow().AddSeconds(90);
        var token = Tokens.Handmade(new { alg = "HS256" }, new { name = "anna", exp = exp.ToUnixTimeSeconds() }, Encoding.UTF8.GetBytes(Tokens.Secret));
        var calls = 0;
        var source = new TokenSource(null, _ => { calls++; return ValueTask.FromResult(token); }, clock);

        await source.ForConnectAsync(CancellationToken.None);
        await source.ForConnectAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(source.RenewAt, Is.EqualTo(exp.AddSeconds(-30)));
            Assert.That(calls, Is.EqualTo(1), "the current token is used until it is due");
        });
    }

    [Test]
    public void The_address_carries_the_nickname_v3_and_the_resume_point()
    {
        var uri = ClientUri.Build(new Uri("ws://127.0.0.1:8181"), "zoë 1", null, new StreamPosition("ab/c", 41, 7));

        Assert.That(uri.AbsoluteUri, Is.EqualTo("ws://127.0.0.1:8181/websocket/zo%C3%AB%201?v=3&since=41&epoch=ab%2Fc"));
    }

    [Test]
    public void With_a_token_the_path_has_no_nickname() =>
        Assert.That(ClientUri.Build(new Uri("ws://h:1/websocket"), null, "t.o.k", null).AbsoluteUri, Is.EqualTo("ws://h:1/websocket?v=3&access_token=t.o.k"));

    [Test]
    public void Commands_are_the_protocols_exact_json()
    {
        string[] json =
        [
            .. new[]
            {
                Commands.Chat("hi", "a1"),
                Commands.RoomMessage("lobby", "hi", "a2"),
                Commands.Private("ben", "hi", "a3"),
                Commands.Join("lobby", new StreamPosition("e1", 41, 7)),
                Commands.Join("lobby", null),
                Commands.History(null, 21, 10),
                Commands.Read("lobby", 5),
                Commands.Typing(null, "ben"),
                Commands.Refresh("t.o.k"),
            }.Select(bytes => Encoding.UTF8.GetString(bytes)),
        ];

        Assert.That(json, Is.EqualTo(new[]
        {
            "{\"msg\":\"hi\",\"id\":\"a1\"}",
            "{\"type\":\"message\",\"room\":\"lobby\",\"msg\":\"hi\",\"id\":\"a2\"}",
            "{\"msg\":\"hi\",\"to_client\":\"ben\",\"id\":\"a3\"}",
            "{\"type\":\"join\",\"room\":\"lobby\",\"since\":41,\"epoch\":\"e1\"}",
            "{\"type\":\"join\",\"room\":\"lobby\"}",
            "{\"type\":\"history\",\"before\":21,\"limit\":10}",
            "{\"type\":\"read\",\"room\":\"lobby\",\"offset\":5}",
            "{\"type\":\"typing\",\"to_client\":\"ben\"}",
            "{\"type\":\"refresh\",\"token\":\"t.o.k\"}",
        }));
    }

    [Test]
    public void Send_ids_are_distinct_and_in_the_servers_alphabet()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => SendIds.Next()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
            Assert.That(ids, Has.All.Match("^[A-Za-z0-9_-]{1,64}$"));
        });
    }
}
