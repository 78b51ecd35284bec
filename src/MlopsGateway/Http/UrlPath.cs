using System.Globalization;
using System.Text;

namespace MlopsGateway.Http;

/// <summary>Builds request paths from raw values, percent-encoding every segment (ids contain <c>:</c>, <c>+</c> and <c>/</c>).</summary>
public static class UrlPath
{
    /// <summary>Percent-encodes one path segment so it cannot change the path's structure.</summary>
    /// <param name="raw">The raw value.</param>
    public static string Segment(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return Uri.EscapeDataString(raw);
    }

    /// <summary>Joins a literal prefix with encoded segments: <c>Combine("api/v1/dags", dagId, "dagRuns")</c>.</summary>
    /// <param name="prefix">A literal, already valid path (not encoded).</param>
    /// <param name="rawSegments">Raw segments, each encoded.</param>
    public static string Combine(string prefix, params string[] rawSegments)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(rawSegments);
        var sb = new StringBuilder(prefix.TrimEnd('/'));
        foreach (var segment in rawSegments)
        {
            sb.Append('/').Append(Segment(segment));
        }
        return sb.ToString();
    }
}

/// <summary>Builds a query string with percent-encoded keys and values; repeated keys are repeated pairs.</summary>
public sealed class QueryBuilder
{
    private readonly StringBuilder _sb = new();

    /// <summary>Adds <c>key=value</c>; a null value adds nothing.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    public QueryBuilder Add(string key, string? value)
    {
        if (value is not null)
        {
            _sb.Append(_sb.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return this;
    }

    /// <summary>Adds an integer in the invariant culture; a null value adds nothing.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    public QueryBuilder Add(string key, long? value) => Add(key, value?.ToString(CultureInfo.InvariantCulture));

    /// <summary>Adds <c>true</c>/<c>false</c>; a null value adds nothing.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    public QueryBuilder Add(string key, bool? value) => Add(key, value is null ? null : value.Value ? "true" : "false");

    /// <summary>Adds one <c>key=value</c> pair per value (repeated keys).</summary>
    /// <param name="key">The key.</param>
    /// <param name="values">The values.</param>
    public QueryBuilder AddEach(string key, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var v in values)
        {
            Add(key, v);
        }
        return this;
    }

    /// <summary>The query string with its leading <c>?</c>, or empty when nothing was added.</summary>
    public override string ToString() => _sb.ToString();
}
