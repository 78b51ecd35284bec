using System.Text.Json.Serialization.Metadata;
using MlopsGateway.MLflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.MLflow.Tests;

/// <summary>Which wire type the adapter reads for each recorded endpoint, and the recorded MLflow exchanges.</summary>
internal static class RecordedRoutes
{
    public const string File = "mlflow-2.17.2.jsonl";

    private static readonly Lazy<IReadOnlyList<RecordedExchange>> s_all = new(() => Recordings.Load(File));

    public static IReadOnlyList<RecordedExchange> All => s_all.Value;

    public static RecordedExchange Get(string id) => All.Single(e => e.Id == id);

    public static IEnumerable<object[]> Ids() => SharedPaths.SharedAvailable ? All.Select(e => new object[] { e.Id }) : [["unavailable"]];

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
            _ when path is "/version" or "/health" => null,
            _ => ctx.EmptyResponse,
        };
    }
}
