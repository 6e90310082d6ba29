using System.Net;
using Fleck.Chat.Tests.Support;

namespace Fleck.Chat.Tests.Host.Api;

/// <summary>Who may use the server API: nobody without --api-key, and with it only callers presenting the key.</summary>
[CancelAfter(60_000)]
[Parallelizable(ParallelScope.All)]
public sealed class ApiAccessTests
{
    [Test]
    public async Task Without_an_api_key_every_api_path_answers_404_and_the_pages_are_served_as_before()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartRawAsync(new Dictionary<string, string>(), ct, ApiHost.Base("nick-broadcast"));
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var presence = await api.GetAsync("/api/presence", ct);
        var publish = await api.PostJsonAsync("/api/publish", new { msg = "hello" }, ct);
        var root = await api.GetAsync("/api", ct);
        var unknown = await api.PostAsync("/api/anything/else", "{}", ct);
        using var http = new HttpClient();
        var page = await http.GetAsync($"http://127.0.0.1:{host.HttpPort}/chat", ct);
        var wrongMethodOnPage = await http.PostAsync($"http://127.0.0.1:{host.HttpPort}/chat", new StringContent(""), ct);

        Assert.That(presence.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(publish.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(root.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(wrongMethodOnPage.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed), "the pages keep their own rules");
    }

    [Test]
    public async Task A_request_without_the_key_or_with_a_wrong_one_gets_401_with_a_bearer_challenge_and_does_nothing()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct);
        await using var alice = await ApiHost.JoinAsync(host, "alice", ct);
        using var anonymous = new ApiClient(host.HttpPort, key: null);
        using var sameLength = new ApiClient(host.HttpPort, new string('x', ApiHost.Key.Length));
        using var prefix = new ApiClient(host.HttpPort, ApiHost.Key[..^1]);
        using var longer = new ApiClient(host.HttpPort, ApiHost.Key + "x");
        using var right = new ApiClient(host.HttpPort, ApiHost.Key);

        var answers = new List<ApiAnswer>();
        foreach (var client in new[] { anonymous, sameLength, prefix, longer })
        {
            answers.Add(await client.PostJsonAsync("/api/publish", new { msg = "must not arrive" }, ct));
            answers.Add(await client.GetAsync("/api/presence", ct));
        }
        var basic = new HttpRequestMessage(HttpMethod.Get, "/api/presence");
        basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", ApiHost.Key);
        answers.Add(await anonymous.SendAsync(basic, ct));
        await right.PostJsonAsync("/api/publish", new { msg = "marker" }, ct);
        var first = await alice.ReceiveEventAsync("message", ct);

        foreach (var answer in answers)
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(answer.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
            Assert.That(answer.ContentHeaders.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(answer.Error, Is.EqualTo("unauthorized"));
        }
        Assert.That(first.GetProperty("msg").GetString(), Is.EqualTo("marker"), "no refused publish reached the chat");
    }

    [Test]
    public async Task With_the_key_an_unknown_api_path_answers_404_in_json()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct);
        using var api = new ApiClient(host.HttpPort, ApiHost.Key);

        var answer = await api.GetAsync("/api/nothing-here", ct);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(answer.Error, Is.EqualTo("not_found"));
    }

    [Test]
    public async Task The_key_can_come_from_FLECK_CHAT_API_KEY_and_the_flag_wins_over_it()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        var environment = new Dictionary<string, string> { ["FLECK_CHAT_API_KEY"] = "key-from-the-environment" };
        await using var fromEnvironment = await ApiHost.StartRawAsync(environment, ct, ApiHost.Base("nick-broadcast"));
        await using var both = await ApiHost.StartRawAsync(environment, ct, [.. ApiHost.Base("nick-broadcast"), "--api-key", "key-from-the-flag"]);
        using var environmentKeyAtFirst = new ApiClient(fromEnvironment.HttpPort, "key-from-the-environment");
        using var environmentKeyAtBoth = new ApiClient(both.HttpPort, "key-from-the-environment");
        using var flagKeyAtBoth = new ApiClient(both.HttpPort, "key-from-the-flag");

        var accepted = await environmentKeyAtFirst.GetAsync("/api/presence", ct);
        var overridden = await environmentKeyAtBoth.GetAsync("/api/presence", ct);
        var flag = await flagKeyAtBoth.GetAsync("/api/presence", ct);

        Assert.That(accepted.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(overridden.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(flag.Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_empty_api_key_flag_is_refused_without_repeating_anything()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = HostProcess.Start([.. ApiHost.Base("nick-broadcast"), "--api-key", ""]);

        var code = await host.WaitForExitAsync(ct);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(host.Stderr, Does.Contain("--api-key must not be empty"));
    }

    [Test]
    public async Task The_api_key_never_appears_in_the_output_even_at_trace_level()
    {
        var ct = TestContext.CurrentContext.CancellationToken;
        await using var host = await ApiHost.StartAsync("nick-broadcast", ct, "--log-level", "trace");
        await using var alice = await ApiHost.JoinAsync(host, "alice", ct);
        using var right = new ApiClient(host.HttpPort, ApiHost.Key);
        using var wrong = new ApiClient(host.HttpPort, ApiHost.Key + "-wrong");

        await right.PostJsonAsync("/api/publish", new { msg = "hello" }, ct);
        await right.PostJsonAsync("/api/send", new { to = "alice", msg = "psst" }, ct);
        await right.PostJsonAsync("/api/disconnect", new { user = "alice" }, ct);
        await right.GetAsync("/api/presence", ct);
        await wrong.GetAsync("/api/presence", ct);
        await right.PostAsync("/api/publish", "{not json", ct);
        await alice.Closed.Task.WaitAsync(ct);
        host.Terminate();
        await host.WaitForExitAsync(ct);

        Assert.That(host.Stdout, Does.Contain("HTTP GET /api/presence"), "requests were logged");
        Assert.That(host.Stdout + host.Stderr, Does.Not.Contain(ApiHost.Key));
    }
}
