using System.Net;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Host.Http.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// Answers every request on the pages port except <c>/metrics</c>: files from the static folder
/// (never outside it), <c>/chat</c> (the page of the running mode, the seed's route), <c>/</c> (the
/// index), <c>/healthz</c>, and <c>/config.json</c>, from which the pages learn where the WebSocket is.
/// Paths under <c>/api/</c> go to the server API when it is on, and answer 404 when it is off.
/// <see cref="PageServer"/> runs it behind Kestrel.
/// </summary>
internal sealed class StaticFileServer
{
    // The pages load only their own scripts and styles and talk only to the chat's WebSocket, so
    // an injected tag could neither run inline script nor send data elsewhere over HTTP.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly string _root;
    private readonly string _modePage;
    private readonly Func<HealthReport> _health;
    private readonly Func<PageConfig> _config;
    private readonly ILogger _logger;
    private readonly ApiHandler? _api;

    /// <param name="root">The static folder.</param>
    /// <param name="modePage">File in <paramref name="root"/> served at <c>/chat</c>.</param>
    /// <param name="health">Builds the <c>/healthz</c> answer.</param>
    /// <param name="config">Builds the <c>/config.json</c> answer.</param>
    /// <param name="logger">Receives request failures (Warning) and every request (Debug).</param>
    /// <param name="api">The server API for <c>/api/</c>; null when it is off.</param>
    public StaticFileServer(string root, string modePage, Func<HealthReport> health, Func<PageConfig> config, ILogger logger, ApiHandler? api = null)
    {
        _api = api;
        _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        _modePage = modePage;
        _health = health;
        _config = config;
        _logger = logger;
    }

    /// <summary>Answers one request and logs it.</summary>
    public async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        var remote = new IPEndPoint(context.Connection.RemoteIpAddress ?? IPAddress.None, context.Connection.RemotePort);
        try
        {
            var status = await RouteAsync(context).ConfigureAwait(false);
            // The path only: a query may carry an access token, which must never reach a log.
            _logger.LogDebug("HTTP {Method} {Path} from {Remote}: {Status}", request.Method, request.Path.Value, remote, status);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-answer: nothing to tell anyone.
        }
        catch (Exception ex)
        {
            _logger.LogWarning("HTTP {Method} {Path} from {Remote} failed: {Error}", request.Method, request.Path.Value, remote, ex.Message);
            context.Abort();
        }
    }

    private async Task<int> RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value is { Length: > 0 } p ? p : "/";
        if (ApiHandler.Owns(path))
        {
            return _api is null
                ? await WriteTextAsync(context, 404, "Not found").ConfigureAwait(false)
                : await _api.ServeAsync(context).ConfigureAwait(false);
        }
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            return await WriteTextAsync(context, 405, "Method not allowed").ConfigureAwait(false);
        }
        switch (path)
        {
            case "/healthz":
                return await WriteJsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(_health(), HostJsonContext.Default.HealthReport)).ConfigureAwait(false);
            case "/config.json":
                return await WriteJsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(_config(), HostJsonContext.Default.PageConfig)).ConfigureAwait(false);
        }
        var file = path switch
        {
            "/" => Path.Combine(_root, "index.html"),
            "/chat" or "/chat/" => Path.Combine(_root, _modePage),
            _ => Resolve(path),
        };
        if (file is null || !File.Exists(file))
        {
            return await WriteTextAsync(context, 404, "Not found").ConfigureAwait(false);
        }
        return await WriteFileAsync(context, file).ConfigureAwait(false);
    }

    /// <summary>
    /// Maps a request path into the static folder, or null if it would leave it. Kestrel hands the
    /// path over decoded and with dot segments removed, except for an encoded slash (%2F), which it
    /// keeps; that one is decoded here, and the result is checked only after the folder is resolved,
    /// so a ".." that an encoded slash uncovers cannot lead out.
    /// </summary>
    internal string? Resolve(string requestPath)
    {
        var relative = requestPath.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase).TrimStart('/');
        if (relative.Contains('\0') || relative.Contains('\\'))
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    private static async Task<int> WriteFileAsync(HttpContext context, string file)
    {
        var bytes = await File.ReadAllBytesAsync(file, context.RequestAborted).ConfigureAwait(false);
        var type = ContentTypes.For(file);
        if (type.StartsWith("text/html", StringComparison.Ordinal))
        {
            context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            // A link out of the chat must not tell the other site which page, or which room's URL, it came from.
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
        }
        // The pages are small and change with the host: revalidate rather than risk a stale script.
        context.Response.Headers.CacheControl = "no-cache";
        return await WriteAsync(context, 200, type, bytes).ConfigureAwait(false);
    }

    private static Task<int> WriteJsonAsync(HttpContext context, byte[] json)
    {
        context.Response.Headers.CacheControl = "no-store";
        return WriteAsync(context, 200, "application/json; charset=utf-8", json);
    }

    private static Task<int> WriteTextAsync(HttpContext context, int status, string text) =>
        WriteAsync(context, status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text + "\n"));

    private static async Task<int> WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        return status;
    }
}
