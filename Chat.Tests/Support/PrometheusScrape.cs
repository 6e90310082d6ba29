using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleck.Chat.Tests.Support;

/// <summary>One answer of a <c>/metrics</c> endpoint, read as samples: series name, labels, value.</summary>
internal sealed partial class PrometheusScrape
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    private PrometheusScrape(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var m = SamplePattern().Match(line.TrimEnd('\r'));
            if (m.Success)
            {
                _samples.Add((m.Groups["name"].Value, m.Groups["labels"].Value, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
            }
        }
    }

    public static async Task<PrometheusScrape> GetAsync(HttpClient http, string url, CancellationToken ct) =>
        new(await http.GetStringAsync(url, ct));

    public IEnumerable<string> Names => _samples.Select(s => s.Name).Distinct();

    /// <summary>The summed value of the samples of <paramref name="name"/> whose labels contain <paramref name="label"/> (e.g. <c>reason="not_found"</c>); null when there are none.</summary>
    public double? Value(string name, string label = "")
    {
        var matching = _samples.Where(s => s.Name == name && s.Labels.Contains(label, StringComparison.Ordinal)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)(\s+\d+)?$")]
    private static partial Regex SamplePattern();
}
