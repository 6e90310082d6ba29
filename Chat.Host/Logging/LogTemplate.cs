using System.Collections;
using System.Globalization;
using System.Text;

namespace Fleck.Chat.Host.Logging;

/// <summary>
/// Renders a structured log message (a template such as <c>"API: disconnecting {User} on every node"</c>
/// with its values) the way Microsoft.Extensions.Logging does — invariant culture, <c>(null)</c> for
/// null, a list joined with ", ", alignment and format after the name — but with each value made safe
/// and cut by <see cref="LogText"/> on its own. So one long or hostile value cannot push the rest of
/// the message out of the line, and the template's own text is never cut.
/// </summary>
internal static class LogTemplate
{
    /// <summary>The key under which a structured state carries its template.</summary>
    public const string OriginalFormatKey = "{OriginalFormat}";

    /// <summary>Appends the rendered message; false (and nothing appended) when <paramref name="state"/> carries no template.</summary>
    public static bool TryAppend(StringBuilder line, object? state)
    {
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> { Count: > 0 } values
            || values[^1] is not { Key: OriginalFormatKey, Value: string template })
        {
            return false;
        }
        var hole = 0;
        var text = template.AsSpan();
        while (!text.IsEmpty)
        {
            var brace = text.IndexOfAny('{', '}');
            if (brace < 0)
            {
                LogText.Append(line, text, LogText.MaxTextLength);
                break;
            }
            LogText.Append(line, text[..brace], LogText.MaxTextLength);
            text = text[brace..];
            if (text.Length > 1 && text[1] == text[0])
            {
                // "{{" and "}}" stand for one brace.
                line.Append(text[0]);
                text = text[2..];
                continue;
            }
            var close = text[0] == '{' ? text.IndexOf('}') : -1;
            if (close < 0)
            {
                line.Append(text[0]);
                text = text[1..];
                continue;
            }
            var spec = text[1..close];
            text = text[(close + 1)..];
            if (hole < values.Count - 1)
            {
                LogText.Append(line, Format(values[hole].Value, spec), LogText.MaxValueLength);
            }
            else
            {
                // More holes than values: show the hole itself, as the template's own text.
                LogText.Append(line, "{" + spec.ToString() + "}", LogText.MaxTextLength);
            }
            hole++;
        }
        return true;
    }

    /// <summary>One value as its hole asks (<c>Name</c>, <c>Name,alignment</c>, <c>Name:format</c>).</summary>
    private static string Format(object? value, ReadOnlySpan<char> spec)
    {
        var modifiers = spec.IndexOfAny(',', ':');
        var composite = modifiers < 0 ? "{0}" : "{0" + spec[modifiers..].ToString() + "}";
        try
        {
            return string.Format(CultureInfo.InvariantCulture, composite, Simplify(value));
        }
        catch (FormatException)
        {
            return Simplify(value).ToString() ?? "";
        }
    }

    private static object Simplify(object? value) => value switch
    {
        null => "(null)",
        string s => s,
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(i => i?.ToString() ?? "(null)")),
        _ => value,
    };
}
