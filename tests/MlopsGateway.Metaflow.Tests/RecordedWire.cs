using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using MlopsGateway.Metaflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>The recorded metaflow-service 2.5.1 exchanges and which wire type each success body is.</summary>
internal static partial class RecordedWire
{
    public static IReadOnlyList<RecordedExchange> All => s_all.Value;

    private static readonly Lazy<IReadOnlyList<RecordedExchange>> s_all = new(() => Recordings.Load("metaflow-2.5.1.jsonl"));

    public static RecordedExchange Get(string id) => All.Single(e => e.Id == id);

    /// <summary>The DTO a success body of this endpoint parses into, or null for text bodies (ping, version).</summary>
    public static JsonTypeInfo? TypeOf(RecordedExchange e)
    {
        var ctx = MetaflowJsonContext.Default;
        var p = e.Path;
        return (e.Method, p) switch
        {
            ("GET", "/ping" or "/version") => null,
            ("GET", "/healthcheck") => ctx.String,
            ("GET", "/flows") => ctx.ListFlowDto,
            (_, _) when Flow().IsMatch(p) => ctx.FlowDto,
            ("GET", _) when p.EndsWith("/runs", StringComparison.Ordinal) => ctx.ListRunDto,
            ("POST", _) when p.EndsWith("/run", StringComparison.Ordinal) => ctx.RunDto,
            ("GET", _) when Run().IsMatch(p) => ctx.RunDto,
            ("PATCH", _) when p.EndsWith("/tag/mutate", StringComparison.Ordinal) => ctx.TagMutationResponse,
            ("POST", _) when p.EndsWith("/heartbeat", StringComparison.Ordinal) => ctx.String,
            ("GET", _) when p.EndsWith("/steps", StringComparison.Ordinal) => ctx.ListStepDto,
            ("POST", _) when p.EndsWith("/step", StringComparison.Ordinal) => ctx.StepDto,
            ("GET", _) when Step().IsMatch(p) => ctx.StepDto,
            ("GET", _) when p.EndsWith("/tasks", StringComparison.Ordinal) => ctx.ListTaskDto,
            ("POST", _) when p.EndsWith("/task", StringComparison.Ordinal) => ctx.TaskDto,
            ("GET", _) when p.EndsWith("/filtered_tasks", StringComparison.Ordinal) => ctx.ListString,
            ("GET", _) when Task().IsMatch(p) => ctx.TaskDto,
            ("GET", _) when p.EndsWith("/metadata", StringComparison.Ordinal) => ctx.ListMetadataDto,
            ("POST", _) when p.EndsWith("/metadata", StringComparison.Ordinal) => ctx.MetadataCreatedResponse,
            ("GET", _) when p.EndsWith("/artifacts", StringComparison.Ordinal) => ctx.ListArtifactDto,
            ("POST", _) when p.EndsWith("/artifact", StringComparison.Ordinal) => ctx.ArtifactsCreatedResponse,
            ("GET", _) when p.Contains("/artifacts/", StringComparison.Ordinal) => ctx.ArtifactDto,
            _ => throw new InvalidOperationException($"No wire type known for {e}"),
        };
    }

    /// <summary>The exact bytes the service sent (the recording keeps one decoding level of JSON-string bodies).</summary>
    public static string RawBody(RecordedExchange e) => e.ResponseBody switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) && (e.ResponseHeader("Content-Type") ?? "").Contains("json", StringComparison.Ordinal) => JsonSerializer.Serialize(s, MetaflowJsonContext.Default.String),
        JsonValue v when v.TryGetValue<string>(out var s) && LooksLikeJsonString(e) => JsonSerializer.Serialize(s, MetaflowJsonContext.Default.String),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => e.ResponseBody.ToJsonString(),
    };

    // Bodies that were JSON strings on the wire: double-encoded errors, heartbeats, tag-mutation errors. The
    // plain-text ones are aiohttp pages ("404: Not Found", "500 Internal Server Error…") and ping/version.
    private static bool LooksLikeJsonString(RecordedExchange e)
    {
        var s = e.ResponseBody!.GetValue<string>();
        return !(s.StartsWith("404: ", StringComparison.Ordinal) || s.StartsWith("405: ", StringComparison.Ordinal)
                 || s.StartsWith("500 Internal", StringComparison.Ordinal) || e.Path is "/ping" or "/version");
    }

    [GeneratedRegex("^/flows/[^/]+$")]
    private static partial Regex Flow();

    [GeneratedRegex("^/flows/[^/]+/runs/[^/]+$")]
    private static partial Regex Run();

    [GeneratedRegex("^/flows/[^/]+/runs/[^/]+/steps/[^/]+$")]
    private static partial Regex Step();

    [GeneratedRegex("^/flows/[^/]+/runs/[^/]+/steps/[^/]+/tasks/[^/]+$")]
    private static partial Regex Task();
}
