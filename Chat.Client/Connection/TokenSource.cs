using System.Buffers.Text;
using System.Text.Json;

namespace Fleck.Chat.Client.Connection;

/// <summary>
/// The access token of the connection: a fixed one, or one got from the app's callback, renewed
/// shortly before its <c>exp</c> (read from the payload, never verified: the server checks it).
/// </summary>
internal sealed class TokenSource(string? fixedToken, Func<CancellationToken, ValueTask<string>>? getToken, TimeProvider time)
{
    // Renew a third of the lifetime before exp, at most a minute and at least a second before: early
    // enough for a slow callback, late enough not to ask for tokens all the time.
    private static readonly TimeSpan MostLead = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LeastLead = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private string? _token = fixedToken;
    private DateTimeOffset? _renewAt;

    /// <summary>True when there is a token at all (the connection signs in with it, not a nickname).</summary>
    public bool Present => _token is not null || getToken is not null;

    /// <summary>True when a new token can be had (a callback is set).</summary>
    public bool Renewable => getToken is not null;

    /// <summary>When the current token should be replaced; null when it never is.</summary>
    public DateTimeOffset? RenewAt { get { lock (_gate) { return _renewAt; } } }

    /// <summary>The token to connect with: the current one, or a new one when there is none or it is due.</summary>
    public async ValueTask<string?> ForConnectAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (getToken is null || (_token is not null && (_renewAt is null || time.GetUtcNow() < _renewAt)))
            {
                return _token;
            }
        }
        return await RenewAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Gets a new token from the callback and makes it current.</summary>
    public async ValueTask<string> RenewAsync(CancellationToken ct)
    {
        var fresh = await getToken!(ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _token = fresh;
            _renewAt = ReadExpiry(fresh) is { } exp ? exp - Lead(exp - now) : null;
        }
        return fresh;
    }

    /// <summary>Forgets the current token (the server said it expired), so the next connect gets a new one.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            if (getToken is not null)
            {
                _token = null;
            }
        }
    }

    private static TimeSpan Lead(TimeSpan lifetime) =>
        TimeSpan.FromTicks(Math.Clamp(lifetime.Ticks / 3, LeastLead.Ticks, MostLead.Ticks));

    /// <summary>The <c>exp</c> claim of a JWT's payload, or null when there is none or it cannot be read.</summary>
    public static DateTimeOffset? ReadExpiry(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }
        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isExp = reader.ValueTextEquals("exp"u8);
                reader.Read();
                if (isExp && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds))
                {
                    return DateTimeOffset.FromUnixTimeSeconds(seconds);
                }
                reader.Skip();
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            // An unreadable token is the server's to refuse; the client just cannot schedule its renewal.
        }
        return null;
    }
}
