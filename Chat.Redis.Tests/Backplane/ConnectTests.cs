using System.Net;
using System.Net.Sockets;
using Fleck.Chat.Modes;
using Fleck.Chat.Redis.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fleck.Chat.Redis.Tests.Backplane;

/// <summary>The one-line entry point a host calls for --redis.</summary>
[CancelAfter(30_000)]
public sealed class ConnectTests : SharedRedis
{
    [Test]
    public async Task ConnectAsync_with_host_and_port_gives_a_backplane_a_chat_server_runs_on()
    {
        var ct = TestTimeouts.Token();
        var backplane = await RedisBackplane.ConnectAsync(Redis.Configuration, NullLoggerFactory.Instance, ct);
        await using var server = new ChatServer(new NickBroadcastMode(), new ChatServerOptions { Backplane = backplane, Transport = new() { Port = 0 } });
        await server.StartAsync(ct);
        await using var client = await TypedClient.ConnectAsync(server.Port, "/websocket/alice", ct);

        var users = await client.ReceiveEventAsync("users", ct);
        await client.SendTextAsync("hello", ct);

        Assert.That(users.GetProperty("you").GetString(), Is.EqualTo("alice"));
        Assert.That((await client.ReceiveEventAsync("message", ct)).GetProperty("msg").GetString(), Is.EqualTo("hello"));
        Assert.That(backplane, Is.TypeOf<RedisBackplane>());
    }

    [Test]
    public async Task ConnectAsync_with_a_full_configuration_string_uses_it()
    {
        var ct = TestTimeouts.Token();
        await using var backplane = await RedisBackplane.ConnectAsync($"{Redis.Configuration},name=chat-test,connectTimeout=3000", new RedisBackplaneOptions { Prefix = "configured:" }, NullLoggerFactory.Instance, ct);

        Assert.That(await backplane.Presence.TryClaimNicknameAsync("alice", ct), Is.True);
        await using var admin = await Redis.ConnectAdminAsync();
        Assert.That(await admin.GetDatabase().KeyExistsAsync("configured:nick:alice"), Is.True);
    }

    [Test]
    public async Task ConnectAsync_to_a_port_where_no_redis_listens_fails_with_a_connection_error()
    {
        var ct = TestTimeouts.Token();
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var error = await Assert.ThrowsAsync<RedisConnectionException>(async () => await RedisBackplane.ConnectAsync($"127.0.0.1:{port},connectTimeout=2000", NullLoggerFactory.Instance, ct));

        Assert.That(error!.Message, Does.Contain("not possible to connect"));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("abortConnect=false")]
    public void A_configuration_without_an_endpoint_is_refused_before_connecting(string configuration)
    {
        Assert.Throws<ArgumentException>(() => RedisConnectionSettings.Parse(configuration));
    }

    [Test]
    public async Task Options_whose_claims_would_expire_between_refreshes_are_refused()
    {
        var options = new RedisBackplaneOptions { ClaimTimeToLive = TimeSpan.FromSeconds(5), RefreshInterval = TimeSpan.FromSeconds(5) };

        await Assert.ThrowsAsync<ArgumentException>(async () => await RedisBackplane.ConnectAsync(Redis.Configuration, options));
    }
}
