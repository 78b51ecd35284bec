using System.Text.Json.Nodes;

namespace MlopsGateway.Dashboard.Tests;

/// <summary>One span as the dashboard's telemetry API returns it (OTLP JSON), flattened for assertions.</summary>
/// <param name="Service">The resource's <c>service.name</c>.</param>
/// <param name="Scope">The instrumentation scope (<c>MlopsGateway</c>, <c>System.Net.Http</c> …).</param>
/// <param name="TraceId">The trace id.</param>
/// <param name="SpanId">The span id.</param>
/// <param name="ParentSpanId">The parent's span id; null for a root span.</param>
/// <param name="Name">The span name.</param>
/// <param name="Kind">The OTLP span kind (1 internal, 3 client).</param>
/// <param name="Attributes">The attributes, values as text.</param>
/// <param name="Events">The events: name and attributes.</param>
internal sealed record OtlpSpan(
    string Service, string Scope, string TraceId, string SpanId, string? ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)> Events)
{
    public const int Internal = 1;
    public const int Client = 3;

    public string? this[string attribute] => Attributes.TryGetValue(attribute, out var value) ? value : null;

    public override string ToString() => $"{Service}/{Scope} {Name} trace {TraceId} span {SpanId} parent {ParentSpanId ?? "-"}";

    /// <summary>Every span of a <c>GET /api/telemetry/traces</c> (or <c>/spans</c>) answer.</summary>
    public static IReadOnlyList<OtlpSpan> Parse(JsonNode answer)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resource in answer["data"]?["resourceSpans"]?.AsArray() ?? [])
        {
            var service = ReadAttributes(resource?["resource"]?["attributes"]).GetValueOrDefault("service.name", "");
            foreach (var scope in resource?["scopeSpans"]?.AsArray() ?? [])
            {
                var scopeName = scope?["scope"]?["name"]?.GetValue<string>() ?? "";
                foreach (var span in scope?["spans"]?.AsArray() ?? [])
                {
                    spans.Add(new OtlpSpan(
                        service,
                        scopeName,
                        span!["traceId"]!.GetValue<string>(),
                        span["spanId"]!.GetValue<string>(),
                        span["parentSpanId"]?.GetValue<string>() is { Length: > 0 } parent ? parent : null,
                        span["name"]!.GetValue<string>(),
                        span["kind"]?.GetValue<int>() ?? 0,
                        ReadAttributes(span["attributes"]),
                        (span["events"]?.AsArray() ?? []).Select(e => (e!["name"]!.GetValue<string>(), ReadAttributes(e["attributes"]))).ToList()));
                }
            }
        }
        return spans;
    }

    private static IReadOnlyDictionary<string, string> ReadAttributes(JsonNode? attributes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in attributes?.AsArray() ?? [])
        {
            var value = attribute!["value"]?.AsObject().FirstOrDefault().Value;
            result[attribute["key"]!.GetValue<string>()] = value switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                _ => value.ToJsonString(),
            };
        }
        return result;
    }
}
