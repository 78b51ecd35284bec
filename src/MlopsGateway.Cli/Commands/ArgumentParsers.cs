using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlopsGateway.Cli;

/// <summary>Parsers for the value formats the commands share: durations, dates, statuses, <c>k=v</c> parameters.</summary>
internal static class ArgumentParsers
{
    /// <summary>
    /// A duration: a number with a unit (<c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>), a bare number of
    /// seconds, or a .NET <see cref="TimeSpan"/> (<c>00:05:00</c>).
    /// </summary>
    /// <param name="result">The token to parse.</param>
    public static TimeSpan Duration(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value.Trim();
        if (TryDuration(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }
        result.AddError($"'{text}' is not a positive duration (examples: 500ms, 30s, 10m, 2h).");
        return default;
    }

    private static bool TryDuration(string text, out TimeSpan value)
    {
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                value = TimeSpan.FromSeconds(amount * seconds);
                return true;
            }
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            value = TimeSpan.FromSeconds(bare);
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A date or date-time (ISO 8601); without an offset it is UTC.</summary>
    /// <param name="result">The token to parse.</param>
    public static DateTimeOffset Date(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }
        result.AddError($"'{text}' is not a date (use ISO 8601, e.g. 2025-06-01 or 2025-06-01T12:00:00Z).");
        return default;
    }

    /// <summary>Run statuses, comma-separated or repeated (<c>failed,canceled</c>), case-insensitive.</summary>
    /// <param name="result">The tokens to parse.</param>
    public static IReadOnlyList<RunStatus> Statuses(ArgumentResult result)
    {
        var statuses = new List<RunStatus>();
        foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Enum.TryParse<RunStatus>(part, ignoreCase: true, out var status) && Enum.IsDefined(status) && !int.TryParse(part, out _))
            {
                statuses.Add(status);
            }
            else
            {
                result.AddError($"'{part}' is not a run status; use {string.Join(", ", Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()))}.");
            }
        }
        return statuses;
    }

    /// <summary>
    /// Trigger parameters <c>key=value</c>: a value that is a JSON literal (<c>5</c>, <c>true</c>, <c>[1,2]</c>,
    /// <c>"5"</c>) keeps its JSON type, anything else is a string.
    /// </summary>
    /// <param name="pairs">The <c>--param</c> values.</param>
    public static JsonObject Parameters(IEnumerable<string> pairs)
    {
        var parameters = new JsonObject();
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"--param '{pair}': expected key=value.");
            }
            var key = pair[..equals];
            var text = pair[(equals + 1)..];
            parameters[key] = ParseValue(text);
        }
        return parameters;
    }

    private static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text) ?? JsonValue.Create((string?)null);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
