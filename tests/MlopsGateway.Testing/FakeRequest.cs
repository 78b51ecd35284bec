using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using WireMock;

namespace MlopsGateway.Testing;

/// <summary>
/// One request as a fake's handler sees it: method, the raw target exactly as sent (percent-encoding kept), the path
/// as Kestrel decodes it, the route's values (each segment decoded on its own, so an encoded <c>/</c> stays inside
/// its value), the query pairs in order, headers and body. Handlers read the body as raw JSON (<see cref="Json"/>),
/// never as an adapter's DTO.
/// </summary>
public sealed class FakeRequest
{
    private JsonNode? _json;
    private bool _jsonRead;

    private FakeRequest(string method, string rawTarget, string path, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        Method = method;
        RawTarget = rawTarget;
        Path = path;
        Headers = headers;
        BodyBytes = body;
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        RawPath = query < 0 ? rawTarget : rawTarget[..query];
        RawQuery = query < 0 ? "" : rawTarget[query..];
        QueryPairs = ParseQuery(RawQuery);
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>The request target exactly as the client sent it: path and query, percent-encoding kept.</summary>
    public string RawTarget { get; }

    /// <summary>The path part of <see cref="RawTarget"/>, still encoded.</summary>
    public string RawPath { get; }

    /// <summary>The query part of <see cref="RawTarget"/> with its leading <c>?</c>, or empty.</summary>
    public string RawQuery { get; }

    /// <summary>The path as Kestrel decodes it (every escape except <c>%2F</c> decoded).</summary>
    public string Path { get; }

    /// <summary>The query pairs in the order sent, keys and values decoded (<c>+</c> is a space, as in a form).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> QueryPairs { get; }

    /// <summary>The request headers (case-insensitive; repeated ones comma-joined).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body bytes (empty when none).</summary>
    public byte[] BodyBytes { get; }

    /// <summary>The body as UTF-8 text.</summary>
    public string Body => Encoding.UTF8.GetString(BodyBytes);

    /// <summary>The body parsed as JSON, or null when it is empty or not JSON.</summary>
    public JsonNode? Json
    {
        get
        {
            if (!_jsonRead)
            {
                _jsonRead = true;
                try
                {
                    _json = BodyBytes.Length == 0 ? null : JsonNode.Parse(BodyBytes);
                }
                catch (JsonException)
                {
                    _json = null;
                }
            }
            return _json;
        }
    }

    /// <summary>The values the matched route's template captured (decoded), by name.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; internal set; } = new Dictionary<string, string>();

    /// <summary>A route value by name.</summary>
    /// <param name="name">The template's parameter name.</param>
    public string Route(string name) => RouteValues[name];

    /// <summary>The first value of a query key, or null.</summary>
    /// <param name="key">The key.</param>
    public string? Query(string key) => QueryPairs.FirstOrDefault(p => p.Key == key) is { Key: not null } pair ? pair.Value : null;

    /// <summary>Every value of a query key, in order.</summary>
    /// <param name="key">The key.</param>
    public IReadOnlyList<string> QueryAll(string key) => QueryPairs.Where(p => p.Key == key).Select(p => p.Value).ToArray();

    /// <summary>A header's value, or null.</summary>
    /// <param name="name">The header name.</param>
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The media type of the body (<c>Content-Type</c> without parameters), or null.</summary>
    public string? ContentType => Header("Content-Type")?.Split(';')[0].Trim();

    /// <summary>Whether the body is a form (<c>multipart/form-data</c> or <c>application/x-www-form-urlencoded</c>).</summary>
    public bool HasFormContentType => ContentType is "multipart/form-data" or "application/x-www-form-urlencoded";

    /// <summary>The first file part named <paramref name="name"/> of a <c>multipart/form-data</c> body, or null.</summary>
    /// <param name="name">The part's form name.</param>
    public FakeFormFile? FormFile(string name)
    {
        if (ContentType != "multipart/form-data"
            || MediaTypeHeaderValue.Parse(Header("Content-Type")).Boundary.Value is not { Length: > 0 } boundary)
        {
            return null;
        }
        // The body is already in memory, so the reader's awaits complete synchronously.
        var reader = new MultipartReader(boundary.Trim('"'), new MemoryStream(BodyBytes));
        while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
        {
            if (section.GetContentDispositionHeader() is { } disposition && disposition.IsFileDisposition()
                && disposition.Name.Value?.Trim('"') == name)
            {
                using var content = new MemoryStream();
                section.Body.CopyTo(content);
                return new FakeFormFile(disposition.FileName.Value?.Trim('"') ?? disposition.FileNameStar.Value ?? "", content.ToArray());
            }
        }
        return null;
    }

    internal static FakeRequest From(IRequestMessage message, FakeServer server)
    {
        var headers = HeadersOf(message);
        var arrival = server.ArrivalOf(headers);
        var raw = arrival?.RawTarget ?? message.Path + message.RawQuery;
        return new FakeRequest(message.Method, raw, arrival?.Path ?? message.Path, WithoutInternalHeaders(headers), message.BodyAsBytes ?? Encoding.UTF8.GetBytes(message.Body ?? ""));
    }

    internal static Dictionary<string, string> HeadersOf(IRequestMessage message)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in message.Headers ?? new Dictionary<string, WireMock.Types.WireMockList<string>>())
        {
            headers[name] = string.Join(", ", values);
        }
        return headers;
    }

    internal static IReadOnlyDictionary<string, string> WithoutInternalHeaders(Dictionary<string, string> headers)
    {
        headers.Remove(FakeServer.RequestIdHeader);
        return headers;
    }

    internal static string? BodyText(IRequestMessage message) => message.BodyAsBytes is { Length: > 0 } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Splits a raw query (<c>?a=1&amp;b=x+y</c>) into decoded pairs in order.</summary>
    /// <param name="rawQuery">The query with or without its leading <c>?</c>.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string rawQuery)
    {
        ArgumentNullException.ThrowIfNull(rawQuery);
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add(new(Decode(key), Decode(value)));
        }
        return pairs;
    }

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));
}

/// <summary>One file part of a multipart form body.</summary>
/// <param name="FileName">The part's file name.</param>
/// <param name="Content">The part's bytes.</param>
public sealed record FakeFormFile(string FileName, byte[] Content);
