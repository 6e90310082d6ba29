using System.Net;

namespace Fleck.Chat.Bench;

/// <summary>Command-line settings of one benchmark run.</summary>
internal sealed record BenchOptions
{
    public string Scenario { get; init; } = "fanout";
    public string Label { get; init; } = "server";
    /// <summary>Where clients connect; with several (one per node), client i goes to server i mod count.</summary>
    public IReadOnlyList<IPEndPoint> Servers { get; init; } = [new(IPAddress.Loopback, 8181)];
    public string Path { get; init; } = "/websocket";

    /// <summary>Every process that serves the chat (nodes and Redis); CPU and memory are their sum.</summary>
    public IReadOnlyList<int> ServerPids { get; init; } = [];

    /// <summary>The server's <c>/healthz</c>, for its GC counts and allocations (Fleck.Chat hosts only).</summary>
    public Uri? Health { get; init; }
    private bool _targetGiven;
    public int Clients { get; init; } = 1000;
    public int Senders { get; init; } = 10;
    public int Messages { get; init; } = 2000;
    public int Bytes { get; init; } = 64;
    public int Window { get; init; } = 16;
    public double Rate { get; init; } = 50_000;
    public double DurationSeconds { get; init; } = 10;
    public bool Nick { get; init; }
    /// <summary>nick-broadcast and rooms: every message carries an <c>id</c> (<c>sender-seq</c>), so every send is acknowledged and deduplicated.</summary>
    public bool Ids { get; init; }
    /// <summary>Rooms mode: client i joins room r(i mod Rooms) and writes there; 0 for the other modes.</summary>
    public int Rooms { get; init; }
    /// <summary>Recovery scenario: how many receiving clients drop and resume once during the run.</summary>
    public int Reconnects { get; init; } = 100;
    public int Sources { get; init; } = 8;
    public double TimeoutSeconds { get; init; } = 120;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--scenario" => o with { Scenario = Next() },
                "--label" => o with { Label = Next() },
                "--target" => WithTarget(o, Next()),
                "--server-pid" => o with { ServerPids = [.. Next().Split(',').Select(Int)] },
                "--clients" => o with { Clients = Int(Next()) },
                "--senders" => o with { Senders = Int(Next()) },
                "--messages" => o with { Messages = Int(Next()) },
                "--bytes" => o with { Bytes = Int(Next()) },
                "--window" => o with { Window = Int(Next()) },
                "--rate" => o with { Rate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--duration" => o with { DurationSeconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--timeout" => o with { TimeoutSeconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--sources" => o with { Sources = Int(Next()) },
                "--nick" => o with { Nick = true },
                "--ids" => o with { Ids = true, Nick = true },
                "--rooms" => o with { Rooms = Int(Next()), Nick = true },
                "--reconnects" => o with { Reconnects = Int(Next()) },
                "--health" => o with { Health = new Uri(Next()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.Bytes < 40)
        {
            throw new ArgumentException("--bytes must be at least 40: the payload carries sender, sequence and timestamp");
        }
        return o;
    }

    private static int Int(string s) => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first --target replaces the default; each further one adds a node.</summary>
    private static BenchOptions WithTarget(BenchOptions o, string url)
    {
        var uri = new Uri(url);
        var endPoint = new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
        return o with { Servers = o._targetGiven ? [.. o.Servers, endPoint] : [endPoint], Path = uri.AbsolutePath, _targetGiven = true };
    }
}
