using StackExchange.Redis;

namespace Fleck.Chat.Redis;

/// <summary>The StackExchange.Redis settings the backplane's outage behaviour relies on.</summary>
public static class RedisConnectionSettings
{
    /// <summary>Parses <c>host:port</c> or a StackExchange.Redis configuration string and applies <see cref="Apply"/>.</summary>
    /// <exception cref="ArgumentException">The string names no endpoint or cannot be parsed.</exception>
    public static ConfigurationOptions Parse(string configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            throw new ArgumentException("A Redis address (host:port) or configuration string is required.", nameof(configuration));
        }
        var options = ConfigurationOptions.Parse(configuration);
        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException($"No Redis endpoint in \"{configuration}\"; expected host:port.", nameof(configuration));
        }
        return Apply(options);
    }

    /// <summary>
    /// Fail fast while disconnected: a command is refused at once instead of queued until Redis
    /// returns, so a new member learns at once that its nickname cannot be checked, and no chat
    /// message is sent to the other nodes late (or twice). Reconnect quickly: a retry within half a
    /// second, backing off to at most five, so traffic resumes within seconds of Redis returning.
    /// </summary>
    public static ConfigurationOptions Apply(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(500, 5000);
        options.ClientName ??= "fleck-chat";
        return options;
    }
}
