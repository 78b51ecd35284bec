using System.Globalization;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// Client-side check of a KFP cron expression before it is sent: robfig/cron v1 syntax with six fields,
/// <b>seconds first</b> (<c>0 0 * * * *</c> is hourly), or one of its descriptors (<c>@hourly</c>,
/// <c>@every 1h30m</c>, …). A five-field Unix cron is the common mistake and gets a message saying so.
/// </summary>
internal static class KfpCron
{
    private static readonly (string Name, int Min, int Max, string[]? Names)[] Fields =
    [
        ("seconds", 0, 59, null),
        ("minutes", 0, 59, null),
        ("hours", 0, 23, null),
        ("day of month", 1, 31, null),
        ("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        ("day of week", 0, 6, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ];

    private static readonly string[] Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

    /// <summary>Returns null when valid, else a message explaining what is wrong.</summary>
    public static string? Validate(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return "The cron expression is empty.";
        }
        var text = cron.Trim();
        if (text.StartsWith('@'))
        {
            if (Descriptors.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                return null;
            }
            if (text.StartsWith("@every ", StringComparison.OrdinalIgnoreCase) && IsGoDuration(text[7..].Trim()))
            {
                return null;
            }
            return $"Unknown cron descriptor '{text}' (use @hourly, @daily, @weekly, @monthly, @yearly or @every <duration>).";
        }
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6)
        {
            var hint = parts.Length == 5 ? " It looks like a 5-field Unix cron: KFP wants seconds first, e.g. '0 " + text + "'." : "";
            return $"KFP cron expressions have 6 fields (seconds minutes hours day-of-month month day-of-week); '{text}' has {parts.Length}.{hint}";
        }
        for (var i = 0; i < parts.Length; i++)
        {
            if (ValidateField(parts[i], Fields[i]) is { } error)
            {
                return $"Invalid {Fields[i].Name} field '{parts[i]}' in cron '{text}': {error}";
            }
        }
        return null;
    }

    private static string? ValidateField(string field, (string Name, int Min, int Max, string[]? Names) spec)
    {
        foreach (var item in field.Split(','))
        {
            var rangeAndStep = item.Split('/');
            if (rangeAndStep.Length > 2 || item.Length == 0)
            {
                return "malformed list item.";
            }
            if (rangeAndStep.Length == 2 && (!int.TryParse(rangeAndStep[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step < 1))
            {
                return "the step must be a positive integer.";
            }
            var range = rangeAndStep[0];
            if (range is "*" or "?")
            {
                continue;
            }
            var bounds = range.Split('-');
            if (bounds.Length > 2)
            {
                return "malformed range.";
            }
            var values = new int[bounds.Length];
            for (var b = 0; b < bounds.Length; b++)
            {
                if (!TryValue(bounds[b], spec, out values[b]))
                {
                    return $"'{bounds[b]}' is not a value between {spec.Min} and {spec.Max}.";
                }
            }
            if (values.Length == 2 && values[0] > values[1])
            {
                return "the range start is after its end.";
            }
        }
        return null;
    }

    private static bool TryValue(string text, (string Name, int Min, int Max, string[]? Names) spec, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return value >= spec.Min && value <= spec.Max;
        }
        if (spec.Names is { } names)
        {
            var index = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            value = index + spec.Min;
            return index >= 0;
        }
        return false;
    }

    // Go's time.ParseDuration: one or more decimal numbers each followed by a unit (ns, us, µs, ms, s, m, h).
    private static bool IsGoDuration(string text)
    {
        var i = 0;
        var any = false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }
            if (i == start)
            {
                return false;
            }
            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
            {
                i++;
            }
            if (text[unitStart..i] is not ("ns" or "us" or "µs" or "ms" or "s" or "m" or "h"))
            {
                return false;
            }
            any = true;
        }
        return any;
    }
}
