using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Http;

/// <summary>
/// Serves the pages over plain HTTP with <see cref="HttpListener"/>: files from the static folder
/// (never outside it), <c>/chat</c> (the page of the running mode, the seed's route), <c>/healthz</c>
/// and <c>/config.json</c>, from which the pages learn where the WebSocket is.
/// </summary>
internal sealed class StaticFileServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Func<object> _health;
    private readonly Func<object> _config;
    private readonly string _modePage;
    private readonly ILogger _logger;
    private Task? _loop;

    public StaticFileServer(string prefix, string root, string modePage, Func<object> health, Func<object> config, ILogger logger)
    {
        _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        _modePage = modePage;
        _health = health;
        _config = config;
        _logger = logger;
        _listener.Prefixes.Add(prefix);
        _listener.IgnoreWriteExceptions = true;
    }

    /// <summary>Another prefix to answer on (e.g. the same port under the name localhost).</summary>
    public void AddPrefix(string prefix) => _listener.Prefixes.Add(prefix);

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
                return;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            if (context.Request.HttpMethod is not ("GET" or "HEAD"))
            {
                response.AddHeader("Allow", "GET, HEAD");
                await WriteTextAsync(response, 405, "Method not allowed").ConfigureAwait(false);
                return;
            }
            var path = context.Request.Url?.AbsolutePath ?? "/";
            switch (path)
            {
                case "/healthz":
                    await WriteJsonAsync(response, _health()).ConfigureAwait(false);
                    return;
                case "/config.json":
                    await WriteJsonAsync(response, _config()).ConfigureAwait(false);
                    return;
                case "/chat" or "/chat/":
                    await WriteFileAsync(context, Path.Combine(_root, _modePage)).ConfigureAwait(false);
                    return;
                case "/":
                    await WriteFileAsync(context, Path.Combine(_root, "index.html")).ConfigureAwait(false);
                    return;
            }
            var file = Resolve(path);
            if (file is null || !File.Exists(file))
            {
                await WriteTextAsync(response, 404, "Not found").ConfigureAwait(false);
                return;
            }
            await WriteFileAsync(context, file).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning("HTTP {Path} from {Remote} failed: {Error}", context.Request.RawUrl, context.Request.RemoteEndPoint, ex.Message);
            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>
    /// Maps a URL path into the static folder, or null if it would leave it. The path arrives with
    /// dot segments removed but %2F still encoded, so it is unescaped first and checked after.
    /// </summary>
    internal string? Resolve(string urlPath)
    {
        string relative;
        try
        {
            relative = Uri.UnescapeDataString(urlPath).TrimStart('/');
        }
        catch (UriFormatException)
        {
            return null;
        }
        if (relative.Contains('\0') || relative.Contains('\\'))
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    private static async Task WriteFileAsync(HttpListenerContext context, string file)
    {
        var response = context.Response;
        if (!File.Exists(file))
        {
            await WriteTextAsync(response, 404, "Not found").ConfigureAwait(false);
            return;
        }
        var bytes = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
        response.StatusCode = 200;
        response.ContentType = ContentTypes.For(file);
        response.AddHeader("Cache-Control", "no-cache");
        response.AddHeader("X-Content-Type-Options", "nosniff");
        response.ContentLength64 = bytes.Length;
        if (context.Request.HttpMethod != "HEAD")
        {
            await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        }
        response.Close();
    }

    private static async Task WriteJsonAsync(HttpListenerResponse response, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), HostJsonContext.Default);
        response.StatusCode = 200;
        response.ContentType = "application/json; charset=utf-8";
        response.AddHeader("Cache-Control", "no-store");
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        response.Close();
    }

    private static async Task WriteTextAsync(HttpListenerResponse response, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
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
