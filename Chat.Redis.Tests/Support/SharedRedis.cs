namespace Fleck.Chat.Redis.Tests.Support;

/// <summary>Base of a test class whose tests share one redis-server (each test under its own key prefix).</summary>
public abstract class SharedRedis
{
    private RedisServer? _redis;

    internal RedisServer Redis => _redis ?? throw new InvalidOperationException("Redis is not started.");

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
