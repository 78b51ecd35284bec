namespace MlopsGateway.Testing;

/// <summary>One request as a test server received it.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">The path as Kestrel decodes it: every escape decoded except <c>%2F</c> (see <see cref="RawTarget"/> for the bytes sent).</param>
/// <param name="Query">Raw query string including the leading <c>?</c>, or empty.</param>
/// <param name="Headers">Request headers (multi-valued ones comma-joined).</param>
/// <param name="Body">The body text, when recorded.</param>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    /// <summary>The request target exactly as sent (path and query, percent-encoding kept).</summary>
    public string RawTarget { get; init; } = Path + Query;

    /// <summary>The path part of <see cref="RawTarget"/>, still encoded.</summary>
    public string RawPath => RawTarget.Split('?', 2)[0];

    /// <summary>The query pairs in the order sent, decoded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> QueryPairs => FakeRequest.ParseQuery(Query);

    /// <summary>Arrival order on its server.</summary>
    public long Sequence { get; init; }

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}
