using Refit;

namespace MlopsGateway.Http;

/// <summary>
/// The rules every caller value meets before it goes into a request URL, applied in one place: Refit asks this
/// formatter for every string and <see cref="PathSegment"/> it renders into a path or query (each section of a
/// <c>{**path}</c> included), and Refit percent-encodes the answer once. A refusal is a
/// <see cref="MlopsValidationException"/>; the operation scope stamps the backend and operation on it.
/// </summary>
internal sealed class UrlValues : IUrlParameterFormatter
{
    /// <summary>
    /// The longest value a URL carries. A longer one can never be served: gunicorn (MLflow's and Airflow 2's server)
    /// refuses request lines over 4 KB and Kestrel, aiohttp (Metaflow), nginx and most ingresses over 8 KB.
    /// </summary>
    public const int MaxLength = 8_192;

    /// <summary>How much of a refused value a message quotes.</summary>
    public const int QuotedLength = 64;

    public static readonly UrlValues Instance = new();

    public string? Format(object? value, IParameterAttributeProvider attributeProvider, Type type) => value switch
    {
        PathSegment segment => Segment(segment.Value ?? string.Empty),
        string text => MlopsGuard.UrlValue(text, "A URL value"),
        _ => value?.ToString(),
    };

    private static string Segment(string value)
    {
        MlopsGuard.UrlValue(value, "A path segment");
        if (value is "." or "..")
        {
            throw MlopsGuard.Invalid($"'{value}' cannot be sent as a path segment: URL normalisation removes it, so the request would address the parent resource.");
        }
        if (value.Contains('/', StringComparison.Ordinal))
        {
            throw MlopsGuard.Invalid($"{Quote(value)} cannot be sent as one path segment: it holds '/', which routers and proxies commonly decode back to a separator before routing, so the request could reach another endpoint.");
        }
        return value;
    }

    private static string Quote(string value) => value.Length <= QuotedLength ? $"'{value}'" : $"'{value[..QuotedLength]}…'";
}
