using System.Security.Cryptography;
using System.Text;
using Fleck.Chat.Identity;
using Fleck.Chat.Transport.Handshake;
using Microsoft.IdentityModel.Tokens;

namespace Fleck.Chat.Tests.Identity;

/// <summary>The rules a token must pass, checked on <see cref="JwtAuthenticator"/> directly.</summary>
[CancelAfter(20_000)]
[Parallelizable(ParallelScope.All)]
public sealed class JwtValidationTests
{
    private static readonly JwtAuthenticator Hs256 = JwtAuthenticator.WithSecret(Tokens.Secret);

    private static UpgradeContext Request(string target, string extraHeaders = "")
    {
        var head = $"GET {target} HTTP/1.1\r\nHost: chat\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{extraHeaders}";
        return new UpgradeContext(UpgradeRequest.TryParse(Encoding.Latin1.GetBytes(head.TrimEnd('\r', '\n')))!, null, isSecure: false);
    }

    private static ValueTask<AuthenticationResult> Check(JwtAuthenticator authenticator, string token) =>
        authenticator.AuthenticateAsync(Request("/websocket?access_token=" + token), TestContext.CurrentContext.CancellationToken);

    private static void AssertInvalid(AuthenticationResult result)
    {
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.StatusCode, Is.EqualTo(401));
        Assert.That(result.Headers, Is.EqualTo(new[] { new KeyValuePair<string, string>("WWW-Authenticate", "Bearer error=\"invalid_token\"") }));
    }

    [Test]
    public async Task A_valid_token_gives_the_name_claim_and_its_expiry()
    {
        var exp = Tokens.UnixNow + 600;
        var result = await Check(Hs256, Tokens.Hs256(Tokens.Claims("alice", exp)));

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.Identity!.Name, Is.EqualTo("alice"));
        Assert.That(result.Identity.ExpiresAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(exp)));
        Assert.That(result.Identity.Claims.Select(c => c.Type), Does.Contain("name"));
    }

    [Test]
    public async Task Without_a_name_claim_the_subject_is_the_name()
    {
        var result = await Check(Hs256, Tokens.Hs256(new Dictionary<string, object> { ["sub"] = "bob", ["exp"] = Tokens.UnixNow + 600 }));

        Assert.That(result.Identity?.Name, Is.EqualTo("bob"));
    }

    [Test]
    public async Task A_token_naming_nobody_is_forbidden()
    {
        var result = await Check(Hs256, Tokens.Hs256(new Dictionary<string, object> { ["exp"] = Tokens.UnixNow + 600 }));

        Assert.That(result.StatusCode, Is.EqualTo(403));
    }

    [Test]
    public async Task A_request_without_a_token_gets_a_bare_bearer_challenge()
    {
        var result = await Hs256.AuthenticateAsync(Request("/websocket"), TestContext.CurrentContext.CancellationToken);

        Assert.That(result.StatusCode, Is.EqualTo(401));
        Assert.That(result.Headers, Is.EqualTo(new[] { new KeyValuePair<string, string>("WWW-Authenticate", "Bearer") }));
    }

    [Test]
    public async Task The_token_may_come_in_an_authorization_header()
    {
        var token = Tokens.For("carol");
        var result = await Hs256.AuthenticateAsync(Request("/websocket", $"Authorization: Bearer {token}\r\n"), TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Identity?.Name, Is.EqualTo("carol"));
    }

    [Test]
    public async Task A_token_without_exp_is_refused() =>
        AssertInvalid(await Check(Hs256, Tokens.Hs256(Tokens.Claims("alice"))));

    [TestCase(-10, true)]
    [TestCase(-25, true)]
    [TestCase(-40, false)]
    [TestCase(-3600, false)]
    public async Task An_expired_token_passes_only_within_30_seconds_of_skew(int expiresInSeconds, bool accepted)
    {
        var result = await Check(Hs256, Tokens.Hs256(Tokens.Claims("alice", Tokens.UnixNow + expiresInSeconds)));

        if (accepted)
        {
            Assert.That(result.Succeeded, Is.True);
        }
        else
        {
            AssertInvalid(result);
        }
    }

    [TestCase(10, true)]
    [TestCase(25, true)]
    [TestCase(40, false)]
    [TestCase(3600, false)]
    public async Task A_token_not_yet_valid_passes_only_within_30_seconds_of_skew(int validInSeconds, bool accepted)
    {
        var result = await Check(Hs256, Tokens.Hs256(Tokens.Claims("alice", Tokens.UnixNow + 7200, nbf: Tokens.UnixNow + validInSeconds)));

        if (accepted)
        {
            Assert.That(result.Succeeded, Is.True);
        }
        else
        {
            AssertInvalid(result);
        }
    }

    [Test]
    public async Task Issuer_and_audience_are_checked_when_configured()
    {
        var strict = JwtAuthenticator.WithSecret(Tokens.Secret, issuer: "https://id.example", audience: "chat");
        var exp = Tokens.UnixNow + 600;

        var right = await Check(strict, Tokens.Hs256(Tokens.Claims("alice", exp, iss: "https://id.example", aud: "chat")));
        var wrongIssuer = await Check(strict, Tokens.Hs256(Tokens.Claims("alice", exp, iss: "https://evil.example", aud: "chat")));
        var wrongAudience = await Check(strict, Tokens.Hs256(Tokens.Claims("alice", exp, iss: "https://id.example", aud: "billing")));
        var neither = await Check(strict, Tokens.Hs256(Tokens.Claims("alice", exp)));
        var anyIssuerWhenNotConfigured = await Check(Hs256, Tokens.Hs256(Tokens.Claims("alice", exp, iss: "https://evil.example", aud: "billing")));

        Assert.That(right.Succeeded, Is.True);
        AssertInvalid(wrongIssuer);
        AssertInvalid(wrongAudience);
        AssertInvalid(neither);
        Assert.That(anyIssuerWhenNotConfigured.Succeeded, Is.True);
    }

    [Test]
    public async Task A_token_signed_with_another_secret_is_refused() =>
        AssertInvalid(await Check(Hs256, Tokens.For("alice", secret: "another-secret-that-is-long-enough-too!!")));

    [Test]
    public async Task A_token_with_alg_none_is_refused()
    {
        var token = Tokens.Handmade(new { alg = "none", typ = "JWT" }, Tokens.Claims("alice", Tokens.UnixNow + 600), hmacKey: null);

        AssertInvalid(await Check(Hs256, token));
    }

    [Test]
    public async Task A_token_signed_with_the_right_secret_but_another_algorithm_is_refused()
    {
        var token = Tokens.Handmade(new { alg = "HS512", typ = "JWT" }, Tokens.Claims("alice", Tokens.UnixNow + 600), Encoding.UTF8.GetBytes(Tokens.Secret), k => new HMACSHA512(k));
        var control = Tokens.Handmade(new { alg = "HS256", typ = "JWT" }, Tokens.Claims("alice", Tokens.UnixNow + 600), Encoding.UTF8.GetBytes(Tokens.Secret));

        AssertInvalid(await Check(Hs256, token));
        Assert.That((await Check(Hs256, control)).Succeeded, Is.True, "the hand-made token is otherwise valid");
    }

    [Test]
    public async Task A_tampered_payload_is_refused()
    {
        var token = Tokens.For("alice");
        var parts = token.Split('.');
        var forged = parts[0] + "." + Tokens.B64(Encoding.UTF8.GetBytes(Base64UrlEncoder.Decode(parts[1]).Replace("alice", "admin", StringComparison.Ordinal))) + "." + parts[2];

        AssertInvalid(await Check(Hs256, forged));
    }

    [Test]
    public async Task A_token_larger_than_8_KiB_is_refused_even_if_signed()
    {
        var claims = Tokens.Claims("alice", Tokens.UnixNow + 600);
        claims["padding"] = new string('x', 9000);
        var huge = Tokens.Hs256(claims);
        claims["padding"] = new string('x', 5000);
        var large = Tokens.Hs256(claims);

        AssertInvalid(await Check(Hs256, huge));
        Assert.That((await Check(Hs256, large)).Succeeded, Is.True, "a large token under the cap is fine");
    }

    [Test]
    public async Task An_rsa_key_accepts_rs256_and_refuses_hs256_signed_with_the_public_key()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        var authenticator = JwtAuthenticator.WithPublicKey(pem);
        var claims = Tokens.Claims("alice", Tokens.UnixNow + 600);

        var good = await Check(authenticator, Tokens.Sign(claims, new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256));
        var confusedWithPem = Tokens.Handmade(new { alg = "HS256", typ = "JWT" }, claims, Encoding.ASCII.GetBytes(pem));
        var confusedWithDer = Tokens.Handmade(new { alg = "HS256", typ = "JWT" }, claims, rsa.ExportSubjectPublicKeyInfo());

        Assert.That(authenticator.Algorithm, Is.EqualTo("RS256"));
        Assert.That(good.Identity?.Name, Is.EqualTo("alice"));
        AssertInvalid(await Check(authenticator, confusedWithPem));
        AssertInvalid(await Check(authenticator, confusedWithDer));
    }

    [Test]
    public async Task A_p256_key_accepts_es256_only_from_its_own_private_key()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authenticator = JwtAuthenticator.WithPublicKey(ec.ExportSubjectPublicKeyInfoPem());
        var claims = Tokens.Claims("alice", Tokens.UnixNow + 600);

        var good = await Check(authenticator, Tokens.Sign(claims, new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256));
        var foreign = await Check(authenticator, Tokens.Sign(claims, new ECDsaSecurityKey(other), SecurityAlgorithms.EcdsaSha256));

        Assert.That(authenticator.Algorithm, Is.EqualTo("ES256"));
        Assert.That(good.Identity?.Name, Is.EqualTo("alice"));
        AssertInvalid(foreign);
    }

    [TestCase("[\"b64\"]", TestName = "A crit header listing an extension makes the token invalid")]
    [TestCase("[\"exp\"]", TestName = "A crit header listing a registered claim makes the token invalid")]
    [TestCase("[]", TestName = "An empty crit header makes the token invalid")]
    [TestCase("\"b64\"", TestName = "A crit header that is not even a list makes the token invalid")]
    public async Task A_token_with_a_crit_header_is_refused_as_invalid(string crit)
    {
        var payload = $"{{\"name\":\"alice\",\"exp\":{Tokens.UnixNow + 600}}}";
        var control = await Check(Hs256, Tokens.RawHs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload));

        var result = await Check(Hs256, Tokens.RawHs256($"{{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":{crit},\"b64\":true}}", payload));

        Assert.That(control.Identity?.Name, Is.EqualTo("alice"), "the same token without crit is accepted");
        AssertInvalid(result);
    }

    [Test]
    public async Task A_token_whose_payload_repeats_a_member_is_refused_as_invalid()
    {
        var payload = $"{{\"name\":\"alice\",\"name\":\"bob\",\"exp\":{Tokens.UnixNow + 600}}}";

        AssertInvalid(await Check(Hs256, Tokens.RawHs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload)));
    }

    private static readonly TestCaseData[] NonStringNames =
    [
        new TestCaseData("name", 123).SetName("A numeric name claim is forbidden, not taken as its JSON text"),
        new TestCaseData("name", new[] { "alice", "bob" }).SetName("An array name claim is forbidden, not taken as its JSON text"),
        new TestCaseData("name", new Dictionary<string, string> { ["first"] = "alice" }).SetName("An object name claim is forbidden"),
        new TestCaseData("name", true).SetName("A boolean name claim is forbidden"),
        new TestCaseData("sub", 42).SetName("A numeric sub claim without a name is forbidden"),
    ];

    [TestCaseSource(nameof(NonStringNames))]
    public async Task A_name_claim_that_is_not_a_string_is_forbidden(string claim, object value)
    {
        var result = await Check(Hs256, Tokens.Hs256(new Dictionary<string, object> { [claim] = value, ["exp"] = Tokens.UnixNow + 600 }));

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.StatusCode, Is.EqualTo(403));
    }

    [Test]
    public async Task A_null_name_claim_is_forbidden_even_with_a_string_sub()
    {
        var result = await Check(Hs256, Tokens.RawHs256("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", $"{{\"name\":null,\"sub\":\"bob\",\"exp\":{Tokens.UnixNow + 600}}}"));

        Assert.That(result.StatusCode, Is.EqualTo(403));
    }

    [Test]
    public void A_secret_under_32_bytes_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => JwtAuthenticator.WithSecret(new string('k', 31)));

        Assert.That(error!.Message, Does.Contain("at least 32 bytes"));
        Assert.That(JwtAuthenticator.WithSecret(new string('k', 32)).Algorithm, Is.EqualTo("HS256"));
    }

    [Test]
    public void A_key_that_is_not_pem_or_not_p256_is_a_clear_error()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => JwtAuthenticator.WithPublicKey("not a key"));
        Assert.Throws<ArgumentException>(() => JwtAuthenticator.WithPublicKey(p384.ExportSubjectPublicKeyInfoPem()));
    }
}
