namespace MlopsGateway.Http;

/// <summary>
/// A value a Refit interface puts into exactly one segment of a request path (<c>[Get("/runs/{runId}")]</c> with a
/// <see cref="PathSegment"/> parameter). The type is the declaration: the core's URL formatter (registered by
/// <see cref="BackendApi"/>) refuses a segment that could not reach its object once sent — <c>.</c> and <c>..</c>
/// (removed by URL normalisation, so the request would address the parent), a <c>/</c> (routers and proxies commonly
/// decode <c>%2F</c> back to a separator before matching a route) or an over-long value — with
/// <see cref="MlopsValidationException"/> before anything is sent, and Refit percent-encodes what it accepts once.
/// Adapters pass plain strings; the conversion is implicit and never throws.
/// </summary>
/// <param name="Value">The raw (not encoded) value.</param>
public readonly record struct PathSegment(string Value)
{
    /// <summary>Wraps a raw value (checked when the request is built, not here).</summary>
    /// <param name="value">The raw value.</param>
    public static implicit operator PathSegment(string value) => new(value);

    /// <summary>Wraps a raw value; the named form of the implicit conversion.</summary>
    /// <param name="value">The raw value.</param>
    public static PathSegment FromString(string value) => new(value);

    /// <summary>The raw value.</summary>
    public override string ToString() => Value ?? string.Empty;
}
