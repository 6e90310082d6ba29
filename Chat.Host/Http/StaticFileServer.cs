using System.Net;
using System.Text;
using System.Text.Json;
using Fleck.Chat.Host.Http.Api;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// Serves the pages over plain HTTP with <see cref="HttpListener"/>: files from the static folder
/// (never outside it), <c>/chat</c> (the page of the running mode, the seed's route), <c>/</c> (the
/// index), <c>/healthz</c>, and <c>/config.json</c>, from which the pages learn where the WebSocket is.
/// Paths under <c>/api/</c> go to the server API when it is on, and answer 404 when it is off.
/// </summary>
internal sealed class StaticFileServer : IAsyncDisposable
{
    // The pages load only their own scripts and styles and talk only to the chat's WebSocket, so
    // an injected tag could neither run inline script nor send data elsewhere over HTTP.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly string _modePage;
    private readonly Func<HealthReport> _health;
    private readonly Func<PageConfig> _config;
    private readonly ILogger _logger;
    private readonly ApiHandler? _api;
    private Task? _loop;
    private bool _disposed;

    /// <param name="prefixes">HttpListener prefixes, e.g. <c>http://127.0.0.1:8080/</c>.</param>
    /// <param name="root">The static folder.</param>
    /// <param name="modePage">File in <paramref name="root"/> served at <c>/chat</c>.</param>
    /// <param name="health">Builds the <c>/healthz</c> answer.</param>
    /// <param name="config">Builds the <c>/config.json</c> answer.</param>
    /// <param name="logger">Receives request failures (Warning) and every request (Debug).</param>
    /// <param name="api">The server API for <c>/api/</c>; null when it is off.</param>
    public StaticFileServer(IEnumerable<string> prefixes, string root, string modePage, Func<HealthReport> health, Func<PageConfig> config, ILogger logger, ApiHandler? api = null)
    {
        _api = api;
        _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        _modePage = modePage;
        _health = health;
        _config = config;
        _logger = logger;
        foreach (var prefix in prefixes)
        {
            _listener.Prefixes.Add(prefix);
        }
        _listener.IgnoreWriteExceptions = true;
    }

    /// <summary>Starts listening; throws <see cref="HttpListenerException"/> when the port is taken.</summary>
    public void Start()
    {
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // Stopped.
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        // Read before answering: once the response is closed the connection may be gone, and
        // asking the request for its endpoint then throws.
        var remote = request.RemoteEndPoint;
        try
        {
            var status = await RouteAsync(request, response).ConfigureAwait(false);
            _logger.LogDebug("HTTP {Method} {Path} from {Remote}: {Status}", request.HttpMethod, request.RawUrl, remote, status);
        }
        catch (Exception ex)
        {
            _logger.LogWarning("HTTP {Method} {Path} from {Remote} failed: {Error}", request.HttpMethod, request.RawUrl, remote, ex.Message);
            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task<int> RouteAsync(HttpListenerRequest request, HttpListenerResponse response)
    {
        if (ApiHandler.Owns(request.Url?.AbsolutePath ?? "/"))
        {
            return _api is null
                ? await WriteTextAsync(request, response, 404, "Not found").ConfigureAwait(false)
                : await _api.ServeAsync(request, response).ConfigureAwait(false);
        }
        if (request.HttpMethod is not ("GET" or "HEAD"))
        {
            response.AddHeader("Allow", "GET, HEAD");
            return await WriteTextAsync(request, response, 405, "Method not allowed").ConfigureAwait(false);
        }
        var path = request.Url?.AbsolutePath ?? "/";
        switch (path)
        {
            case "/healthz":
                return await WriteJsonAsync(request, response, JsonSerializer.SerializeToUtf8Bytes(_health(), HostJsonContext.Default.HealthReport)).ConfigureAwait(false);
            case "/config.json":
                return await WriteJsonAsync(request, response, JsonSerializer.SerializeToUtf8Bytes(_config(), HostJsonContext.Default.PageConfig)).ConfigureAwait(false);
        }
        var file = path switch
        {
            "/" => Path.Combine(_root, "index.html"),
            "/chat" or "/chat/" => Path.Combine(_root, _modePage),
            _ => Resolve(path),
        };
        if (file is null || !File.Exists(file))
        {
            return await WriteTextAsync(request, response, 404, "Not found").ConfigureAwait(false);
        }
        return await WriteFileAsync(request, response, file).ConfigureAwait(false);
    }

    /// <summary>
    /// Maps a URL path into the static folder, or null if it would leave it. The path arrives with
    /// dot segments removed but %2F still encoded, so it is unescaped first and checked after.
    /// </summary>
    internal string? Resolve(string urlPath)
    {
        var relative = Uri.UnescapeDataString(urlPath).TrimStart('/');
        if (relative.Contains('\0') || relative.Contains('\\'))
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    private static async Task<int> WriteFileAsync(HttpListenerRequest request, HttpListenerResponse response, string file)
    {
        var bytes = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
        var type = ContentTypes.For(file);
        if (type.StartsWith("text/html", StringComparison.Ordinal))
        {
            response.AddHeader("Content-Security-Policy", ContentSecurityPolicy);
        }
        // The pages are small and change with the host: revalidate rather than risk a stale script.
        response.AddHeader("Cache-Control", "no-cache");
        return await WriteAsync(request, response, 200, type, bytes).ConfigureAwait(false);
    }

    private static Task<int> WriteJsonAsync(HttpListenerRequest request, HttpListenerResponse response, byte[] json)
    {
        response.AddHeader("Cache-Control", "no-store");
        return WriteAsync(request, response, 200, "application/json; charset=utf-8", json);
    }

    private static Task<int> WriteTextAsync(HttpListenerRequest request, HttpListenerResponse response, int status, string text) =>
        WriteAsync(request, response, status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text + "\n"));

    private static async Task<int> WriteAsync(HttpListenerRequest request, HttpListenerResponse response, int status, string contentType, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.AddHeader("X-Content-Type-Options", "nosniff");
        response.ContentLength64 = body.Length;
        if (request.HttpMethod != "HEAD")
        {
            await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        }
        response.Close();
        return status;
    }

    /// <summary>Stops listening and waits for the accept loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_listener.IsListening)
        {
            _listener.Stop();
        }
        _listener.Close();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }
}
