using System.Text.Json.Nodes;

namespace Fleck.Chat.Bench;

/// <summary>
/// The garbage collections and allocations a Fleck.Chat host reports at <c>/healthz</c>, read before
/// and after a measured phase to show whether delivering allocates. Servers without it report nothing.
/// </summary>
internal readonly record struct ServerHealth(long Gen0, long Gen2, long AllocatedBytes)
{
    public static async Task<ServerHealth?> ReadAsync(Uri? url, CancellationToken ct)
    {
        if (url is null)
        {
            return null;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var json = JsonNode.Parse(await http.GetStringAsync(url, ct))!;
        return new ServerHealth((long)json["gen0Collections"]!, (long)json["gen2Collections"]!, (long)json["allocatedBytes"]!);
    }

    /// <summary>Adds the differences between two readings to <paramref name="result"/>.</summary>
    public static void Report(JsonObject result, ServerHealth? before, ServerHealth? after, long deliveries)
    {
        if (before is not { } b || after is not { } a)
        {
            return;
        }
        result["serverGen0"] = a.Gen0 - b.Gen0;
        result["serverGen2"] = a.Gen2 - b.Gen2;
        result["serverAllocatedBytesPerDelivery"] = deliveries > 0 ? Math.Round((a.AllocatedBytes - b.AllocatedBytes) / (double)deliveries, 3) : null;
    }
}
