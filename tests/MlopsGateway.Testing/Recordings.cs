using System.Text.Json.Nodes;

namespace MlopsGateway.Testing;

/// <summary>One real request/response exchange from <c>../shared/recordings/*.jsonl</c> (format in that folder's README).</summary>
public sealed record RecordedExchange(
    string Id,
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    JsonObject RequestHeaders,
    JsonNode? RequestBody,
    int Status,
    JsonObject ResponseHeaders,
    JsonNode? ResponseBody,
    string Note)
{
    /// <summary>The response header value, case-insensitively, or null.</summary>
    public string? ResponseHeader(string name)
        => ResponseHeaders.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();

    /// <summary>
    /// The recorded body as text: a string body verbatim (raw text such as HTML or <c>pong</c>, or — for
    /// metaflow's double-encoded errors — the inner JSON after one decoding level), anything else as JSON text.
    /// </summary>
    public string ResponseText => ResponseBody switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => ResponseBody.ToJsonString(),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Id}: {Method} {Path} -> {Status}";
}

/// <summary>Loads the recorded exchanges.</summary>
public static class Recordings
{
    /// <summary>Loads every exchange of one file, e.g. <c>Load("mlflow-2.17.2.jsonl")</c>.</summary>
    public static IReadOnlyList<RecordedExchange> Load(string fileName)
    {
        var path = SharedPaths.Shared("recordings", fileName);
        var result = new List<RecordedExchange>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var node = JsonNode.Parse(line)!.AsObject();
            var query = new List<KeyValuePair<string, string>>();
            if (node["query"] is JsonArray pairs)
            {
                foreach (var pair in pairs)
                {
                    query.Add(new(pair![0]!.GetValue<string>(), pair[1]?.ToString() ?? ""));
                }
            }
            result.Add(new RecordedExchange(
                node["id"]!.GetValue<string>(),
                node["method"]!.GetValue<string>(),
                node["path"]!.GetValue<string>(),
                query,
                node["request_headers"] as JsonObject ?? [],
                node["request_body"]?.DeepClone(),
                node["status"]!.GetValue<int>(),
                node["response_headers"] as JsonObject ?? [],
                node["response_body"]?.DeepClone(),
                node["note"]?.GetValue<string>() ?? ""));
        }
        return result;
    }
}
