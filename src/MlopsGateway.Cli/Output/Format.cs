using System.Globalization;

namespace MlopsGateway.Cli;

/// <summary>How values read in human output (always the invariant culture).</summary>
internal static class Format
{
    /// <summary>A metric value: round-trippable, NaN and ±Infinity spelled out.</summary>
    /// <param name="value">The value.</param>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A UTC time to the second, or empty.</summary>
    /// <param name="time">The time.</param>
    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    /// <summary>A run's duration (<c>1h02m</c>, <c>3m05s</c>, <c>12.3s</c>), or empty when it has not started.</summary>
    /// <param name="start">The start.</param>
    /// <param name="end">The end, or null for a run still going (measured to <paramref name="now"/>).</param>
    /// <param name="now">The current time.</param>
    public static string Duration(DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now)
    {
        if (start is null)
        {
            return "";
        }
        var span = (end ?? now) - start.Value;
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:00}m")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m{span.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0}s");
    }

    /// <summary>A timeout for messages (<c>10m</c>, <c>30s</c>).</summary>
    /// <param name="span">The span.</param>
    public static string Span(TimeSpan span)
        => span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours.ToString(CultureInfo.InvariantCulture)}h"
            : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes.ToString(CultureInfo.InvariantCulture)}m"
            : $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";

    /// <summary>A byte count (<c>1.5 MiB</c>).</summary>
    /// <param name="bytes">The count.</param>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }
}
