using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fleck.Chat.Modes;
using Fleck.Chat.Protocol;
using Fleck.Chat.Scaling;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Http.Api;

/// <summary>
/// The server API under <c>/api/</c> on the pages port: publish to everyone (in rooms mode, to one
/// room), send to one user, disconnect a user, and list who is online (or in a room), each through
/// the <see cref="ChatServer"/> methods an embedding application would call. Every request must
/// carry the API key as a bearer token; that is checked before anything else, so without the key
/// nothing about the API (not even which paths exist) can be learnt. Bodies are JSON of at most
/// <see cref="MaxBodyBytes"/>; every answer is JSON.
/// </summary>
internal sealed partial class ApiHandler(ChatServer chat, ApiKey key, ILogger logger)
{
    /// <summary>64 KiB: the largest chat message a client may send by default, plus room for the JSON around it.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>A client that takes longer than this to send a 64 KiB body is not an operator's script but a stalled peer.</summary>
    private static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(10);

    private const string Get = "GET";
    private const string Post = "POST";

    /// <summary>Whether a path belongs to the API (and so never to the static files, whether the API is on or not).</summary>
    public static bool Owns(string path) => path == "/api" || path.StartsWith("/api/", StringComparison.Ordinal);

    /// <summary>Answers one request; returns the status, for the access log.</summary>
    public async Task<int> ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var authorization = request.Headers.Authorization;
        if (!key.Matches(authorization.Count == 0 ? null : authorization.ToString()))
        {
            response.Headers.WWWAuthenticate = "Bearer";
            return await WriteAsync(response, 401, Error("unauthorized", "Send the API key as \"Authorization: Bearer <key>\".")).ConfigureAwait(false);
        }
        var path = request.Path.Value ?? "";
        var method = path switch
        {
            "/api/publish" or "/api/send" or "/api/disconnect" or "/api/ban" or "/api/unban" => Post,
            "/api/presence" or "/api/bans" or "/api/history" => Get,
            _ => null,
        };
        if (method is null)
        {
            return await WriteAsync(response, 404, Error("not_found", "No such endpoint: use /api/publish, /api/send, /api/disconnect, /api/presence, /api/ban, /api/unban, /api/bans or /api/history.")).ConfigureAwait(false);
        }
        if (request.Method != method)
        {
            response.Headers.Allow = method;
            return await WriteAsync(response, 405, Error("method_not_allowed", $"Use {method}.")).ConfigureAwait(false);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(BodyTimeout);
        int status;
        byte[] body;
        try
        {
            (status, body) = path switch
            {
                "/api/publish" => await PublishAsync(request, timeout.Token).ConfigureAwait(false),
                "/api/send" => await SendAsync(request, timeout.Token).ConfigureAwait(false),
                "/api/disconnect" => await DisconnectAsync(request, timeout.Token).ConfigureAwait(false),
                "/api/ban" => await BanAsync(request, timeout.Token).ConfigureAwait(false),
                "/api/unban" => await UnbanAsync(request, timeout.Token).ConfigureAwait(false),
                "/api/bans" => await BansAsync(timeout.Token).ConfigureAwait(false),
                "/api/history" => await HistoryAsync(request, timeout.Token).ConfigureAwait(false),
                _ => await PresenceAsync(request, timeout.Token).ConfigureAwait(false),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            (status, body) = (408, Error("timeout", $"The request took longer than {BodyTimeout.TotalSeconds:0} s."));
        }
        catch (BackplaneUnavailableException ex)
        {
            logger.LogWarning("API {Path}: the chat's backplane is unavailable: {Error}", path, ex.Message);
            (status, body) = (503, Error("unavailable", "The chat cannot reach its other nodes right now; try again shortly."));
        }
        if (status is 408 or 413)
        {
            // Part of the body is still owed: close the connection after answering rather than drain it.
            response.Headers.Connection = "close";
        }
        return await WriteAsync(response, status, body).ConfigureAwait(false);
    }

    private async Task<(int, byte[])> PublishAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (publish, refusal) = await ReadAsync(request, ApiJsonContext.Default.PublishRequest, cancellationToken).ConfigureAwait(false);
        if (refusal is { } r)
        {
            return r;
        }
        if (string.IsNullOrEmpty(publish!.Msg))
        {
            return MissingField("msg");
        }
        if (!HasRooms)
        {
            // Without rooms a "room" is an unknown field, ignored like any other.
            return Ok(await chat.PublishAsync(publish.Msg, cancellationToken).ConfigureAwait(false));
        }
        // In rooms mode every message belongs to a room; there is no "everyone" to publish to.
        if (RoomRefusal(publish.Room, out var room) is { } roomRefusal)
        {
            return roomRefusal;
        }
        var offset = await chat.PublishToRoomAsync(room, publish.Msg, cancellationToken).ConfigureAwait(false);
        return Ok(offset);
    }

    private async Task<(int, byte[])> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (send, refusal) = await ReadAsync(request, ApiJsonContext.Default.SendRequest, cancellationToken).ConfigureAwait(false);
        if (refusal is { } r)
        {
            return r;
        }
        if (string.IsNullOrWhiteSpace(send!.To))
        {
            return MissingField("to");
        }
        if (string.IsNullOrEmpty(send.Msg))
        {
            return MissingField("msg");
        }
        if (!await chat.SendToUserAsync(send.To, send.Msg, cancellationToken).ConfigureAwait(false))
        {
            return (404, Error("offline_target", $"{send.To.Trim()} is not online; the message was not delivered."));
        }
        return Ok();
    }

    private Task<(int, byte[])> DisconnectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ForUserAsync(request, user => logger.LogInformation("API: disconnecting {User} on every node", user), chat.DisconnectUserAsync, cancellationToken);

    private async Task<(int, byte[])> BanAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (ban, refusal) = await ReadAsync(request, ApiJsonContext.Default.BanRequest, cancellationToken).ConfigureAwait(false);
        if (refusal is { } r)
        {
            return r;
        }
        if (string.IsNullOrWhiteSpace(ban!.User))
        {
            return MissingField("user");
        }
        if (ban.Seconds is not { ValueKind: not JsonValueKind.Null } seconds)
        {
            return MissingField("seconds");
        }
        if (seconds.ValueKind != JsonValueKind.Number || !seconds.TryGetInt64(out var s) || s < 1 || s > (long)ChatServer.MaxBanDuration.TotalSeconds)
        {
            return (400, JsonSerializer.SerializeToUtf8Bytes(new ApiError("invalid_request",
                $"\"seconds\" must be a whole number from 1 to {(long)ChatServer.MaxBanDuration.TotalSeconds}.", "seconds"), ApiJsonContext.Default.ApiError));
        }
        logger.LogInformation("API: banning {User} for {Seconds} s on every node", ban.User.Trim(), s);
        var until = await chat.BanUserAsync(ban.User, TimeSpan.FromSeconds(s), cancellationToken).ConfigureAwait(false);
        return (200, JsonSerializer.SerializeToUtf8Bytes(new BanResponse(true, until.ToUnixTimeSeconds()), ApiJsonContext.Default.BanResponse));
    }

    private Task<(int, byte[])> UnbanAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ForUserAsync(request, user => logger.LogInformation("API: lifting the ban of {User}", user), chat.UnbanUserAsync, cancellationToken);

    /// <summary>A request whose body only names a user (<c>/api/disconnect</c>, <c>/api/unban</c>): <paramref name="act"/> on that user, trimmed.</summary>
    private async Task<(int, byte[])> ForUserAsync(HttpRequest request, Action<string> log, Func<string, CancellationToken, Task> act, CancellationToken cancellationToken)
    {
        var (body, refusal) = await ReadAsync(request, ApiJsonContext.Default.DisconnectRequest, cancellationToken).ConfigureAwait(false);
        if (refusal is { } r)
        {
            return r;
        }
        if (string.IsNullOrWhiteSpace(body!.User))
        {
            return MissingField("user");
        }
        var user = body.User.Trim();
        log(user);
        await act(user, cancellationToken).ConfigureAwait(false);
        return Ok();
    }

    private async Task<(int, byte[])> BansAsync(CancellationToken cancellationToken)
    {
        var bans = await chat.GetBansAsync(cancellationToken).ConfigureAwait(false);
        var items = bans.Select(b => new BanItem(b.User, b.Until.ToUnixTimeSeconds())).ToArray();
        return (200, JsonSerializer.SerializeToUtf8Bytes(new BansResponse(items), ApiJsonContext.Default.BansResponse));
    }

    private async Task<(int, byte[])> PresenceAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> users;
        if (HasRooms && RoomQuery(request) is { } requested)
        {
            if (RoomRefusal(requested, out var room) is { } refusal)
            {
                return refusal;
            }
            users = await chat.GetRoomUsersAsync(room, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            users = await chat.GetOnlineUsersAsync(cancellationToken).ConfigureAwait(false);
        }
        return (200, JsonSerializer.SerializeToUtf8Bytes(new PresenceResponse(users), ApiJsonContext.Default.PresenceResponse));
    }

    private bool HasRooms => chat.Mode.HasRooms;

    /// <summary>The <c>room</c> query parameter: null when absent, empty for a bare <c>?room</c> or <c>?room=</c>.</summary>
    private static string? RoomQuery(HttpRequest request)
    {
        // A bare "?room" is filed under its name with an empty value, as "?room=" is.
        return request.Query.TryGetValue("room", out var room) ? room.ToString() : null;
    }

    /// <summary>Checks a requested room name; on failure, the answer to give instead (400 missing_field or invalid_room).</summary>
    private static (int, byte[])? RoomRefusal(string? requested, out string room)
    {
        room = "";
        if (string.IsNullOrEmpty(requested))
        {
            return MissingField("room");
        }
        if (!RoomName.TryNormalize(requested, out room))
        {
            return (400, JsonSerializer.SerializeToUtf8Bytes(new ApiError(RoomErrorCode.InvalidRoom,
                $"A room name is 1-{RoomName.MaxLength} characters: letters, digits, '_' or '-', starting with a letter or digit.", "room"), ApiJsonContext.Default.ApiError));
        }
        return null;
    }

    /// <summary>Reads and parses the body; on failure, the answer to give instead (413 or 400).</summary>
    private static async Task<(T? Value, (int, byte[])? Refusal)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        var body = await ApiBody.ReadAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body.TooLarge)
        {
            return (null, (413, Error("too_large", $"The body may have at most {MaxBodyBytes} bytes.")));
        }
        try
        {
            if (JsonSerializer.Deserialize(body.Body, type) is { } value)
            {
                return (value, null);
            }
            return (null, (400, Error("invalid_json", "The body must be a JSON object.")));
        }
        catch (JsonException ex)
        {
            return (null, (400, Error("invalid_json", ex.Message)));
        }
    }

    private static (int, byte[]) Ok(long? offset = null) => (200, JsonSerializer.SerializeToUtf8Bytes(new OkResponse(true, offset), ApiJsonContext.Default.OkResponse));

    private static (int, byte[]) MissingField(string field) =>
        (400, JsonSerializer.SerializeToUtf8Bytes(new ApiError("missing_field", $"\"{field}\" is missing or empty.", field), ApiJsonContext.Default.ApiError));

    private static byte[] Error(string error, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new ApiError(error, message), ApiJsonContext.Default.ApiError);

    private static async Task<int> WriteAsync(HttpResponse response, int status, byte[] json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json, response.HttpContext.RequestAborted).ConfigureAwait(false);
        return status;
    }
}
