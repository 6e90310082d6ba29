using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Fleck.Chat.Host.Cli;

/// <summary>The command line: every option, its default, and its validation (errors are one readable line, never a stack trace).</summary>
internal static class HostCommand
{
    public static RootCommand Create(Func<HostSettings, CancellationToken, Task<int>> run)
    {
        var mode = new Option<string>("--mode", "-m")
        {
            Description = "Chat mode",
            DefaultValueFactory = _ => "broadcast",
            CustomParser = ParseMode,
            HelpName = string.Join('|', ChatModes.Names),
        };
        var host = new Option<IPAddress>("--host")
        {
            Description = "Address to listen on (IPv4 or IPv6; 0.0.0.0 or :: for all interfaces)",
            DefaultValueFactory = _ => IPAddress.Loopback,
            CustomParser = ParseAddress,
        };
        var port = PortOption("--port", "WebSocket port (0 = any free port)", 8181);
        var httpPort = PortOption("--http-port", "Port of the web pages (0 = any free port)", 8080);
        var staticDir = new Option<string?>("--static")
        {
            Description = "Folder of the web pages [default: the static/ folder shipped with the host]",
        };
        var maxMessage = PositiveIntOption("--max-message-bytes", "Largest message a client may send, in bytes (larger ones are closed with 1009)", 64 * 1024);
        var maxConnections = PositiveIntOption("--max-connections", "Most connections held at once", 50_000);
        var rate = new Option<double>("--rate")
        {
            Description = "Messages per second one connection may send on average (0 = no limit)",
            DefaultValueFactory = _ => 20,
            CustomParser = r => ParseNumber(r, 0.0, 1_000_000.0, (string s, out double v) => double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out v)),
        };
        var burst = PositiveIntOption("--burst", "Messages one connection may send at once before the rate applies", 40);
        var history = new Option<int>("--history")
        {
            Description = "Messages kept for late joiners in nick-broadcast mode (0 = none)",
            DefaultValueFactory = _ => 50,
            CustomParser = r => ParseNumber(r, 0, 100_000, (string s, out int v) => int.TryParse(s, out v)),
        };
        var origins = new Option<string?>("--allowed-origins")
        {
            Description = "Comma-separated origins allowed to connect, e.g. https://chat.example.com [default: any]",
        };
        var cert = new Option<string?>("--cert") { Description = "TLS certificate (PFX, or PEM with its key) to serve wss://" };
        var certPassword = new Option<string?>("--cert-password") { Description = "Password of the --cert file" };
        var redis = new Option<string?>("--redis")
        {
            Description = "Share the chat with other hosts through Redis: host:port or a StackExchange.Redis configuration string [default: in-memory, one host]",
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Trace, Debug, Information, Warning, Error or None",
            DefaultValueFactory = _ => LogLevel.Information,
            CustomParser = ParseLogLevel,
            HelpName = "level",
        };

        var root = new RootCommand("Fleck.Chat: a self-hosted WebSocket chat server with web pages.")
        {
            mode, host, port, httpPort, staticDir, maxMessage, maxConnections, rate, burst, history, origins, cert, certPassword, redis, logLevel,
        };
        root.SetAction(async (result, ct) =>
        {
            var folder = StaticFolder.Resolve(result.GetValue(staticDir));
            if (folder is null)
            {
                await Console.Error.WriteLineAsync($"error: static folder not found: {result.GetValue(staticDir) ?? "static/ (next to the host or above it)"}");
                return 2;
            }
            var settings = new HostSettings
            {
                Mode = result.GetValue(mode)!,
                Address = result.GetValue(host)!,
                WebSocketPort = result.GetValue(port),
                HttpPort = result.GetValue(httpPort),
                StaticFolder = folder,
                MaxMessageBytes = result.GetValue(maxMessage),
                MaxConnections = result.GetValue(maxConnections),
                Rate = result.GetValue(rate),
                Burst = result.GetValue(burst),
                History = result.GetValue(history),
                AllowedOrigins = result.GetValue(origins)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                CertificatePath = result.GetValue(cert),
                CertificatePassword = result.GetValue(certPassword),
                Redis = result.GetValue(redis),
                LogLevel = result.GetValue(logLevel),
            };
            return await run(settings, ct);
        });
        return root;
    }

    private static string ParseMode(ArgumentResult r)
    {
        var value = r.Tokens.Count > 0 ? r.Tokens[0].Value : "broadcast";
        if (ChatModes.TryCreate(value, out var created))
        {
            return created!.Name;
        }
        r.AddError($"unknown mode '{value}': use one of {string.Join(", ", ChatModes.Names)}");
        return "";
    }

    private static IPAddress ParseAddress(ArgumentResult r)
    {
        var value = r.Tokens[0].Value;
        if (value == "localhost")
        {
            return IPAddress.Loopback;
        }
        if (IPAddress.TryParse(value.Trim('[', ']'), out var address))
        {
            return address;
        }
        r.AddError($"--host '{value}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1)");
        return IPAddress.Loopback;
    }

    private static LogLevel ParseLogLevel(ArgumentResult r)
    {
        var value = r.Tokens[0].Value;
        if (Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(value, out _))
        {
            return level;
        }
        r.AddError($"--log-level '{value}' is not one of Trace, Debug, Information, Warning, Error, Critical, None");
        return LogLevel.Information;
    }

    private static Option<int> PortOption(string name, string description, int fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => ParseNumber(r, 0, 65535, (string s, out int v) => int.TryParse(s, out v)),
    };

    private static Option<int> PositiveIntOption(string name, string description, int fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => ParseNumber(r, 1, int.MaxValue, (string s, out int v) => int.TryParse(s, out v)),
    };

    private delegate bool TryParse<T>(string s, out T value);

    private static T ParseNumber<T>(ArgumentResult r, T min, T max, TryParse<T> tryParse) where T : struct, IComparable<T>
    {
        var name = ((OptionResult)r.Parent!).Option.Name;
        var text = r.Tokens[0].Value;
        if (!tryParse(text, out var value) || value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            r.AddError($"{name} '{text}' must be a number from {min} to {max}");
        }
        return value;
    }
}
