namespace MlopsGateway.Tests.Hostile;

/// <summary>
/// The hostile ids and names of issue 11 item 4, and which of them each kind of URL value refuses before sending
/// (everything else must arrive percent-encoded exactly once).
/// </summary>
internal static class HostileValues
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["slash"] = "a/b",
        ["dot-dot"] = "..",
        ["dot-dot-slash"] = "../up",
        ["encoded-slash"] = "a%2Fb",
        ["question"] = "a?b=c",
        ["hash"] = "a#b",
        ["plus"] = "a+b",
        ["colon"] = "manual__2026-03-17T10:00:00+00:00",
        ["space"] = "a b",
        ["non-ascii"] = "modèle-模型",
        ["10KB"] = new string('x', 10 * 1024),
    };

    /// <summary>Where a value lands in the request URL, which decides the rules it meets.</summary>
    public enum Kind
    {
        /// <summary>One path segment: '.', '..', any '/' and over-long values are refused.</summary>
        Segment,

        /// <summary>A query value: only over-long values are refused.</summary>
        Query,

        /// <summary>An MLflow artifact path ('/' separates segments): '.', '..' and empty segments and over-long values are refused.</summary>
        ArtifactPath,

        /// <summary>An MLflow artifact path sent as one query value: the path's refusals, encoded as a query value ('/' too).</summary>
        ArtifactPathInQuery,
    }

    public static bool Refused(Kind kind, string value) => value.Length > 8_192 || kind switch
    {
        Kind.Segment => value is "." or ".." || value.Contains('/', StringComparison.Ordinal),
        Kind.ArtifactPath or Kind.ArtifactPathInQuery => value.Split('/').Any(s => s is "" or "." or ".."),
        _ => false,
    };

    /// <summary>The value as it must appear in the request target: percent-encoded once (per segment for a path).</summary>
    public static string Encoded(Kind kind, string value)
        => kind == Kind.ArtifactPath ? string.Join('/', value.Split('/').Select(Uri.EscapeDataString)) : Uri.EscapeDataString(value);
}
