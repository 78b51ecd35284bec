using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using MlopsGateway.MLflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.MLflow.Tests;

/// <summary>Which wire type the adapter reads for each recorded endpoint, and the recorded MLflow exchanges of both servers.</summary>
internal static partial class RecordedRoutes
{
    public const string File = "mlflow-2.17.2.jsonl";
    public const string V3File = "mlflow-3.11.jsonl";

    private static readonly Lazy<IReadOnlyList<RecordedExchange>> s_all = new(() => Recordings.Load(File));
    private static readonly Lazy<IReadOnlyList<RecordedExchange>> s_v3 = new(() => Recordings.Load(V3File));

    /// <summary>The MLflow 2.17.2 exchanges.</summary>
    public static IReadOnlyList<RecordedExchange> All => s_all.Value;

    /// <summary>The MLflow 3.11 exchanges.</summary>
    public static IReadOnlyList<RecordedExchange> V3 => s_v3.Value;

    public static IReadOnlyList<RecordedExchange> Of(string file) => file == V3File ? V3 : All;

    public static RecordedExchange Get(string id) => All.Single(e => e.Id == id);

    public static RecordedExchange Get(string file, string id) => Of(file).Single(e => e.Id == id);

    /// <summary>(file, id) of every exchange of both recordings.</summary>
    public static IEnumerable<object[]> Ids()
        => SharedPaths.SharedAvailable
            ? new[] { File, V3File }.SelectMany(f => Of(f).Select(e => new object[] { f, e.Id }))
            : [["unavailable", "unavailable"]];

    /// <summary>
    /// Why the adapter never reads this endpoint's JSON body (so no wire type describes it), or null when it does.
    /// Only endpoints no public operation calls are listed; every other JSON answer must parse into a wire type.
    /// </summary>
    public static string? NotReadByAdapter(string method, string path) => (method, path) switch
    {
        (_, "/api/3.0/mlflow/server-info") => "server-info (3.10+) is not used: features are gated on /version",
        (_, "/v1/traces") => "the OTLP ingest endpoint takes binary protobuf, which no gateway operation sends",
        (_, _) when path.Contains("/traces", StringComparison.Ordinal) => "MLflow 3 traces have no gateway operation",
        (_, _) when path.Contains("/metrics/get-history-bulk", StringComparison.Ordinal) => "the bulk history endpoints (UI helpers) have no gateway operation",
        (_, _) when LoggedModelSubResource().IsMatch(path) => "logged-model params, tags and artifact listings have no gateway operation",
        ("DELETE", _) when path.Contains("/logged-models/", StringComparison.Ordinal) => "deleting a logged model has no gateway operation",
        (_, _) when path.Contains("/mlflow-artifacts/mpu/", StringComparison.Ordinal) || path.Contains("/mlflow-artifacts/presigned/", StringComparison.Ordinal)
            => "multipart and presigned artifact transfers have no gateway operation (uploads stream through the proxy)",
        _ => null,
    };

    /// <summary>The JSON type the adapter parses the endpoint's success body as; null for non-JSON bodies (text, file bytes).</summary>
    public static JsonTypeInfo? ResponseType(string method, string path)
    {
        var ctx = MLflowJsonContext.Default;
        if (path.StartsWith("/api/2.0/mlflow-artifacts/artifacts", StringComparison.Ordinal))
        {
            return method switch
            {
                "GET" when path == "/api/2.0/mlflow-artifacts/artifacts" => ctx.ListArtifactsResponse,
                "GET" => null,
                _ => ctx.EmptyResponse,
            };
        }
        var rpc = path.Replace("/ajax-api/2.0/mlflow/", "", StringComparison.Ordinal).Replace("/api/2.0/mlflow/", "", StringComparison.Ordinal);
        return (method, rpc) switch
        {
            (_, "experiments/create") => ctx.CreateExperimentResponse,
            (_, "experiments/get" or "experiments/get-by-name") => ctx.ExperimentResponse,
            (_, "experiments/search") => ctx.SearchExperimentsResponse,
            (_, "runs/create" or "runs/get") => ctx.RunResponse,
            (_, "runs/update") => ctx.UpdateRunResponse,
            (_, "runs/search") => ctx.SearchRunsResponse,
            (_, "metrics/get-history" or "metrics/get-history-bulk-interval" or "metrics/get-history-bulk") => ctx.MetricHistoryResponse,
            (_, "artifacts/list") => ctx.ListArtifactsResponse,
            (_, "registered-models/create" or "registered-models/get" or "registered-models/rename" or "registered-models/update") => ctx.RegisteredModelResponse,
            (_, "registered-models/search") => ctx.SearchRegisteredModelsResponse,
            (_, "registered-models/get-latest-versions" or "model-versions/search") => ctx.SearchModelVersionsResponse,
            ("GET", "registered-models/alias") => ctx.ModelVersionResponse,
            (_, "model-versions/create" or "model-versions/get" or "model-versions/update" or "model-versions/transition-stage") => ctx.ModelVersionResponse,
            (_, "model-versions/get-download-uri") => ctx.DownloadUriResponse,
            ("POST", "logged-models/search") => ctx.SearchLoggedModelsResponse,
            ("POST", "logged-models") or ("GET" or "PATCH", _) when rpc.StartsWith("logged-models/", StringComparison.Ordinal) || rpc == "logged-models" => ctx.LoggedModelResponse,
            _ when path is "/version" or "/health" => null,
            _ => ctx.EmptyResponse,
        };
    }

    [GeneratedRegex(@"/logged-models/[^/]+/(params|tags|artifacts)")]
    private static partial Regex LoggedModelSubResource();
}
