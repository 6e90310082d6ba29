using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Fleck.Chat.Tests.Support;

/// <summary>An HTTP client for a host's server API (<c>/api/*</c> on its pages port), presenting a key when given one.</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(int httpPort, string? key)
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        if (key is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    public Task<ApiAnswer> PostAsync(string path, string body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") }, ct);

    public Task<ApiAnswer> PostJsonAsync(string path, object body, CancellationToken ct) => PostAsync(path, JsonSerializer.Serialize(body), ct);

    public Task<ApiAnswer> GetAsync(string path, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);

    public async Task<ApiAnswer> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        using (var response = await _http.SendAsync(request, ct))
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            JsonElement? json = null;
            if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                json = JsonDocument.Parse(body).RootElement;
            }
            return new ApiAnswer(response.StatusCode, json, body, response.Headers, response.Content.Headers);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>What the API answered: status, JSON body (when it was JSON), raw body and headers.</summary>
internal sealed record ApiAnswer(HttpStatusCode Status, JsonElement? Json, string Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    /// <summary>The <c>error</c> field of a JSON error answer.</summary>
    public string? Error => Json is { } j && j.TryGetProperty("error", out var e) ? e.GetString() : null;
}
