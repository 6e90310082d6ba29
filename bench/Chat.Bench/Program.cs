using System.Text.Json;
using System.Text.Json.Nodes;
using Fleck.Chat.Bench;

// A load generator for WebSocket chat servers. One scenario per run; prints one line
// "RESULT {json}" for scripts and a readable summary for people.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine("error: " + ex.Message);
    Console.Error.WriteLine("usage: Chat.Bench --scenario fanout|steady|idle|stalled|rooms|recovery --target ws://127.0.0.1:8181/websocket [--server-pid P] [--label name]");
    Console.Error.WriteLine("       [--clients N] [--senders S] [--messages M] [--bytes B] [--window W] [--rate deliveries/s] [--duration s] [--nick] [--ids] [--rooms R] [--reconnects N] [--timeout s]");
    Console.Error.WriteLine("       [--target another node ...] [--server-pid P1,P2,...] [--health http://host:port/healthz]");
    return 2;
}

using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds + 120));
JsonObject result;
try
{
    result = options.Scenario switch
    {
        "fanout" => await Scenarios.FanoutAsync(options, deadline.Token),
        "steady" => await Scenarios.SteadyAsync(options, deadline.Token),
        "idle" => await Scenarios.IdleAsync(options, deadline.Token),
        "stalled" => await Scenarios.StalledAsync(options, deadline.Token),
        "rooms" => await Scenarios.RoomsAsync(options, deadline.Token),
        "recovery" => await Scenarios.RecoveryAsync(options, deadline.Token),
        _ => throw new ArgumentException($"unknown scenario {options.Scenario}"),
    };
}
catch (Exception ex) when (ex is not ArgumentException)
{
    Console.Error.WriteLine($"error: {options.Scenario} against {options.Label} failed: {ex.Message}");
    return 1;
}

Console.WriteLine("RESULT " + result.ToJsonString());
Console.WriteLine(string.Join("  ", result.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString(new JsonSerializerOptions()).Trim('"')}")));
return 0;
