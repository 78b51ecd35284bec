using System.Globalization;

namespace MlopsGateway;

/// <summary>
/// Epoch timestamps as the platforms send them, read and written in one place: MLflow, Metaflow and Local store
/// epoch milliseconds, the Kubeflow Model Registry sends them as decimal strings, and a value of 0 (or less) is a
/// server's "not set" rather than 1970.
/// </summary>
public static class EpochTime
{
    /// <summary>The instant <paramref name="milliseconds"/> after the epoch, or null when absent or not positive ("not set").</summary>
    /// <param name="milliseconds">Epoch milliseconds as sent.</param>
    public static DateTimeOffset? FromMilliseconds(long? milliseconds)
        => milliseconds is { } value and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;

    /// <summary>The instant a decimal string of epoch milliseconds names, or null when absent, malformed or not positive.</summary>
    /// <param name="milliseconds">Epoch milliseconds as text (the Kubeflow Model Registry's <c>createTimeSinceEpoch</c>).</param>
    public static DateTimeOffset? FromMilliseconds(string? milliseconds)
        => long.TryParse(milliseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? FromMilliseconds(value) : null;

    /// <summary>The instant <paramref name="seconds"/> after the epoch, or null when absent or not positive.</summary>
    /// <param name="seconds">Epoch seconds as sent (Metaflow heartbeats, JWT <c>exp</c>).</param>
    public static DateTimeOffset? FromSeconds(long? seconds)
        => seconds is { } value and > 0 ? DateTimeOffset.FromUnixTimeSeconds(value) : null;

    /// <summary>Epoch milliseconds of <paramref name="time"/>, as the servers expect them in requests.</summary>
    /// <param name="time">The instant.</param>
    public static long ToMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
}
