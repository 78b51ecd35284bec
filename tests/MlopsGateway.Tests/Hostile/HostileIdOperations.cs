using MlopsGateway.Airflow;
using MlopsGateway.Kubeflow;
using MlopsGateway.Metaflow;
using MlopsGateway.MLflow;
using static MlopsGateway.Tests.Hostile.HostileValues;

namespace MlopsGateway.Tests.Hostile;

/// <summary>
/// Every operation of every adapter that puts a caller's id or name into a request path or query, with the request
/// target it must produce. In a target, <c>{v}</c> stands for the value percent-encoded once (per segment for an
/// artifact path); <c>key~{v}</c> in the query means the decoded <c>key</c> (a filter expression) carries the raw value.
/// </summary>
internal static class HostileIdOperations
{
    /// <summary>One operation called with the hostile value in one argument.</summary>
    /// <param name="Backend">The configured backend name.</param>
    /// <param name="Label">Which argument gets the value (unique per backend).</param>
    /// <param name="Operation">The gateway operation named on a refusal.</param>
    /// <param name="Kind">Where the value lands, which decides the rules.</param>
    /// <param name="Target">The expected request: method, path and query as sent.</param>
    /// <param name="Call">Calls the operation.</param>
    public sealed record Case(string Backend, string Label, string Operation, Kind Kind, string Target, Func<IMlopsBackend, string, Task> Call)
    {
        /// <summary>Requests that may come first whatever the value ("METHOD /path"): a cached version probe, a lookup by a fixed id.</summary>
        public IReadOnlyList<string> Before { get; init; } = [];
    }

    public static readonly IReadOnlyList<Case> All = [.. MLflow(), .. Airflow("AirflowV1", "api/v1"), .. Airflow("AirflowV2", "api/v2"), .. Kubeflow(), .. Metaflow()];

    private static IEnumerable<Case> MLflow()
    {
        const string b = "MLflow";
        const string api = "/api/2.0/mlflow";
        const string proxy = "/api/2.0/mlflow-artifacts/artifacts";
        static MLflowTrackingClient Tracking(IMlopsBackend backend) => backend.GetService<MLflowTrackingClient>()!;
        yield return new(b, "experiment id", "Runs.GetExperiment", Kind.Query, $"GET {api}/experiments/get?experiment_id={{v}}", (x, v) => x.Runs.GetExperimentAsync(v));
        yield return new(b, "experiment name", "Runs.GetExperimentByName", Kind.Query, $"GET {api}/experiments/get-by-name?experiment_name={{v}}", (x, v) => x.Runs.GetExperimentByNameAsync(v));
        yield return new(b, "start experiment name", "Runs.Start", Kind.Query, $"GET {api}/experiments/get-by-name?experiment_name={{v}}", async (x, v) => await (await x.Runs.StartAsync(v)).DisposeAsync());
        yield return new(b, "run id", "Runs.Get", Kind.Query, $"GET {api}/runs/get?run_id={{v}}", (x, v) => x.Runs.GetAsync(v));
        yield return new(b, "wait run id", "Runs.WaitForCompletion", Kind.Query, $"GET {api}/runs/get?run_id={{v}}", (x, v) => x.Runs.WaitForCompletionAsync(v));
        yield return new(b, "cancel run id", "Runs.Cancel", Kind.Query, $"GET {api}/runs/get?run_id={{v}}", (x, v) => x.Runs.CancelAsync(v));
        yield return new(b, "history run id", "Runs.GetMetricHistory", Kind.Query, $"GET {api}/metrics/get-history?run_id={{v}}", (x, v) => Drain(x.Runs.GetMetricHistoryAsync(v, "loss")));
        yield return new(b, "history metric key", "Runs.GetMetricHistory", Kind.Query, $"GET {api}/metrics/get-history?metric_key={{v}}", (x, v) => Drain(x.Runs.GetMetricHistoryAsync("r0", v)));
        yield return new(b, "list artifacts run id", "Runs.ListArtifacts", Kind.Query, $"GET {api}/artifacts/list?run_id={{v}}", (x, v) => Drain(x.Runs.ListArtifactsAsync(v)));
        yield return new(b, "list artifacts path", "Runs.ListArtifacts", Kind.ArtifactPathInQuery, $"GET {api}/artifacts/list?path={{v}}", (x, v) => Drain(x.Runs.ListArtifactsAsync("r0", v)));
        yield return new Case(b, "download artifact path", "Runs.DownloadArtifact", Kind.ArtifactPath, $"GET {proxy}/1/r0/artifacts/{{v}}", async (x, v) => await (await x.Runs.DownloadArtifactAsync("r0", v)).DisposeAsync());
        yield return new Case(b, "upload artifact path", "Runs.UploadArtifact", Kind.ArtifactPath, $"PUT {proxy}/1/r0/artifacts/{{v}}", (x, v) => x.Runs.UploadArtifactAsync("r0", v, new MemoryStream([1, 2, 3])));
        yield return new(b, "model name", "Models.GetModel", Kind.Query, $"GET {api}/registered-models/get?name={{v}}", (x, v) => x.Models.GetModelAsync(v));
        yield return new(b, "version model name", "Models.GetVersion", Kind.Query, $"GET {api}/model-versions/get?name={{v}}", (x, v) => x.Models.GetVersionAsync(v, "1"));
        yield return new(b, "version", "Models.GetVersion", Kind.Query, $"GET {api}/model-versions/get?version={{v}}", (x, v) => x.Models.GetVersionAsync("m", v));
        yield return new(b, "alias", "Models.GetVersionByAlias", Kind.Query, $"GET {api}/registered-models/alias?alias={{v}}", (x, v) => x.Models.GetVersionByAliasAsync("m", v));
        yield return new(b, "alias model name", "Models.GetVersionByAlias", Kind.Query, $"GET {api}/registered-models/alias?name={{v}}", (x, v) => x.Models.GetVersionByAliasAsync(v, "champion"));
        yield return new(b, "list versions model name", "Models.ListVersions", Kind.Query, $"GET {api}/model-versions/search?filter~{{v}}", (x, v) => Drain(x.Models.ListVersionsAsync(v)));
        yield return new Case(b, "version file path", "Models.DownloadVersionFile", Kind.ArtifactPath, $"GET {proxy}/1/r0/artifacts/model/{{v}}", async (x, v) => await (await x.Models.DownloadVersionFileAsync("m", "1", v)).DisposeAsync());
        yield return new Case(b, "version files path", "Models.ListVersionFiles", Kind.ArtifactPathInQuery, $"GET {proxy}?path=1%2Fr0%2Fartifacts%2Fmodel%2F{{v}}", (x, v) => Drain(x.Models.ListVersionFilesAsync("m", "1", v)));
        yield return new(b, "download uri model name", "Tracking.GetModelVersionDownloadUri", Kind.Query, $"GET {api}/model-versions/get-download-uri?name={{v}}", (x, v) => Tracking(x).GetModelVersionDownloadUriAsync(v, "1"));
        yield return new(b, "latest versions model name", "Tracking.GetLatestVersions", Kind.Query, $"GET {api}/registered-models/get-latest-versions?name={{v}}", (x, v) => Tracking(x).GetLatestVersionsAsync(v));
        yield return new Case(b, "logged model id", "Tracking.GetLoggedModel", Kind.Segment, $"GET {api}/logged-models/{{v}}", (x, v) => Tracking(x).GetLoggedModelAsync(v)) with { Before = ["GET /version"] };
        yield return new Case(b, "finalize logged model id", "Tracking.FinalizeLoggedModel", Kind.Segment, $"PATCH {api}/logged-models/{{v}}", (x, v) => Tracking(x).FinalizeLoggedModelAsync(v, MLflowLoggedModelStatus.Ready)) with { Before = ["GET /version"] };
    }

    private static IEnumerable<Case> Airflow(string b, string prefix)
    {
        var dags = $"/{prefix}/dags";
        static AirflowTaskTries Tries(IMlopsBackend backend) => backend.GetService<AirflowTaskTries>()!;
        static RunRef Run(string dag, string run) => new(Uri.EscapeDataString(dag) + "/" + Uri.EscapeDataString(run));
        yield return new(b, "dag id", "Pipelines.Get", Kind.Segment, $"GET {dags}/{{v}}", (x, v) => x.Pipelines.GetAsync(v));
        yield return new(b, "dag name", "Pipelines.GetByName", Kind.Segment, $"GET {dags}/{{v}}", (x, v) => x.Pipelines.GetByNameAsync(v));
        yield return new(b, "delete dag id", "Pipelines.Delete", Kind.Segment, $"DELETE {dags}/{{v}}", (x, v) => x.Pipelines.DeleteAsync(v));
        yield return new(b, "pause dag id", "Pipelines.Pause", Kind.Segment, $"PATCH {dags}/{{v}}", (x, v) => x.Pipelines.PauseAsync(v));
        yield return new(b, "resume dag id", "Pipelines.Resume", Kind.Segment, $"PATCH {dags}/{{v}}", (x, v) => x.Pipelines.ResumeAsync(v));
        yield return new(b, "trigger dag id", "Pipelines.Trigger", Kind.Segment, $"POST {dags}/{{v}}/dagRuns", (x, v) => x.Pipelines.TriggerAsync(v));
        yield return new(b, "list runs dag id", "Runs.List", Kind.Segment, $"GET {dags}/{{v}}/dagRuns", (x, v) => Drain(x.Runs.ListAsync(new RunQuery { PipelineId = v })));
        yield return new(b, "run dag id", "Runs.Get", Kind.Segment, $"GET {dags}/{{v}}/dagRuns/r", (x, v) => x.Runs.GetAsync(Run(v, "r")));
        yield return new(b, "dag run id", "Runs.Get", Kind.Segment, $"GET {dags}/d/dagRuns/{{v}}", (x, v) => x.Runs.GetAsync(Run("d", v)));
        yield return new(b, "cancel dag run id", "Runs.Cancel", Kind.Segment, $"PATCH {dags}/d/dagRuns/{{v}}", (x, v) => x.Runs.CancelAsync(Run("d", v)));
        yield return new(b, "retry dag run id", "Runs.Retry", Kind.Segment, $"POST {dags}/d/dagRuns/{{v}}/clear", (x, v) => x.Runs.RetryAsync(Run("d", v)));
        yield return new(b, "delete dag run id", "Runs.Delete", Kind.Segment, $"DELETE {dags}/d/dagRuns/{{v}}", (x, v) => x.Runs.DeleteAsync(Run("d", v)));
        yield return new(b, "task runs dag run id", "Pipelines.ListTaskRuns", Kind.Segment, $"GET {dags}/d/dagRuns/{{v}}/taskInstances", (x, v) => Drain(x.Pipelines.ListTaskRunsAsync(Run("d", v))));
        yield return new(b, "task log task id", "Pipelines.ReadTaskLog", Kind.Segment, $"GET {dags}/d/dagRuns/r/taskInstances/{{v}}", (x, v) => Drain(x.Pipelines.ReadTaskLogAsync(Run("d", "r"), v)));
        yield return new(b, "task tries task id", "TaskTries.List", Kind.Segment, $"GET {dags}/d/dagRuns/r/taskInstances/{{v}}/tries", (x, v) => Tries(x).ListAsync(Run("d", "r"), v));
    }

    private static IEnumerable<Case> Kubeflow()
    {
        const string b = "Kubeflow";
        const string kfp = "/apis/v2beta1";
        const string mr = "/api/model_registry/v1alpha3";
        static KubeflowSchedules Schedules(IMlopsBackend backend) => backend.GetService<KubeflowSchedules>()!;
        static KubeflowArchive Archive(IMlopsBackend backend) => backend.GetService<KubeflowArchive>()!;
        static KubeflowNodeArtifacts Nodes(IMlopsBackend backend) => backend.GetService<KubeflowNodeArtifacts>()!;
        static KubeflowModelArtifacts ModelArtifacts(IMlopsBackend backend) => backend.GetService<KubeflowModelArtifacts>()!;
        yield return new(b, "run id", "Runs.Get", Kind.Segment, $"GET {kfp}/runs/{{v}}", (x, v) => x.Runs.GetAsync(v));
        yield return new(b, "cancel run id", "Runs.Cancel", Kind.Segment, $"POST {kfp}/runs/{{v}}:terminate", (x, v) => x.Runs.CancelAsync(v));
        yield return new(b, "retry run id", "Runs.Retry", Kind.Segment, $"POST {kfp}/runs/{{v}}:retry", (x, v) => x.Runs.RetryAsync(v));
        yield return new(b, "delete run id", "Runs.Delete", Kind.Segment, $"DELETE {kfp}/runs/{{v}}", (x, v) => x.Runs.DeleteAsync(v));
        yield return new(b, "experiment id", "Runs.GetExperiment", Kind.Segment, $"GET {kfp}/experiments/{{v}}", (x, v) => x.Runs.GetExperimentAsync(v));
        yield return new(b, "delete experiment id", "Runs.DeleteExperiment", Kind.Segment, $"POST {kfp}/experiments/{{v}}:archive", (x, v) => x.Runs.DeleteExperimentAsync(v));
        yield return new(b, "restore experiment id", "Runs.RestoreExperiment", Kind.Segment, $"POST {kfp}/experiments/{{v}}:unarchive", (x, v) => x.Runs.RestoreExperimentAsync(v));
        yield return new(b, "experiment name", "Runs.GetExperimentByName", Kind.Query, $"GET {kfp}/experiments?filter~{{v}}", (x, v) => x.Runs.GetExperimentByNameAsync(v));
        yield return new(b, "list runs experiment id", "Runs.List", Kind.Query, $"GET {kfp}/runs?experiment_id={{v}}", (x, v) => Drain(x.Runs.ListAsync(new RunQuery { ExperimentIds = [v] })));
        yield return new(b, "pipeline id", "Pipelines.Get", Kind.Segment, $"GET {kfp}/pipelines/{{v}}", (x, v) => x.Pipelines.GetAsync(v));
        yield return new(b, "pipeline name", "Pipelines.GetByName", Kind.Segment, $"GET {kfp}/pipelines/names/{{v}}", (x, v) => x.Pipelines.GetByNameAsync(v));
        yield return new(b, "delete pipeline id", "Pipelines.Delete", Kind.Segment, $"DELETE {kfp}/pipelines/{{v}}", (x, v) => x.Pipelines.DeleteAsync(v));
        yield return new(b, "versions pipeline id", "Pipelines.ListVersions", Kind.Segment, $"GET {kfp}/pipelines/{{v}}/versions", (x, v) => Drain(x.Pipelines.ListVersionsAsync(v)));
        yield return new(b, "version id", "Pipelines.GetVersion", Kind.Segment, $"GET {kfp}/pipelines/p/versions/{{v}}", (x, v) => x.Pipelines.GetVersionAsync("p", v));
        yield return new(b, "delete version id", "Pipelines.DeleteVersion", Kind.Segment, $"DELETE {kfp}/pipelines/p/versions/{{v}}", (x, v) => x.Pipelines.DeleteVersionAsync("p", v));
        yield return new(b, "task runs run id", "Pipelines.ListTaskRuns", Kind.Segment, $"GET {kfp}/runs/{{v}}", (x, v) => Drain(x.Pipelines.ListTaskRunsAsync(v)));
        yield return new(b, "schedule id", "Schedules.Get", Kind.Segment, $"GET {kfp}/recurringruns/{{v}}", (x, v) => Schedules(x).GetAsync(v));
        yield return new(b, "enable schedule id", "Schedules.Enable", Kind.Segment, $"POST {kfp}/recurringruns/{{v}}:enable", (x, v) => Schedules(x).EnableAsync(v));
        yield return new(b, "delete schedule id", "Schedules.Delete", Kind.Segment, $"DELETE {kfp}/recurringruns/{{v}}", (x, v) => Schedules(x).DeleteAsync(v));
        yield return new(b, "archive run id", "Archive.ArchiveRun", Kind.Segment, $"POST {kfp}/runs/{{v}}:archive", (x, v) => Archive(x).ArchiveRunAsync(v));
        yield return new(b, "purge experiment id", "Archive.DeleteExperimentPermanently", Kind.Segment, $"DELETE {kfp}/experiments/{{v}}", (x, v) => Archive(x).DeleteExperimentPermanentlyAsync(v));
        yield return new(b, "node id", "NodeArtifacts.Read", Kind.Segment, $"GET {kfp}/runs/r/nodes/{{v}}/artifacts/a:read", async (x, v) => await (await Nodes(x).ReadAsync("r", v, "a")).DisposeAsync());
        yield return new(b, "artifact name", "NodeArtifacts.Read", Kind.Segment, $"GET {kfp}/runs/r/nodes/n/artifacts/{{v}}:read", async (x, v) => await (await Nodes(x).ReadAsync("r", "n", v)).DisposeAsync());
        yield return new(b, "model name", "Models.GetModel", Kind.Query, $"GET {mr}/registered_model?name={{v}}", (x, v) => x.Models.GetModelAsync(v));
        yield return new(b, "versions model name", "Models.ListVersions", Kind.Query, $"GET {mr}/registered_model?name={{v}}", (x, v) => Drain(x.Models.ListVersionsAsync(v)));
        yield return new Case(b, "registry version", "Models.GetVersion", Kind.Query, $"GET {mr}/model_version?name={{v}}", (x, v) => x.Models.GetVersionAsync("m", v)) with { Before = ["GET /api/model_registry/v1alpha3/registered_model"] };
        yield return new(b, "model artifact id", "ModelArtifacts.Get", Kind.Segment, $"GET {mr}/model_artifacts/{{v}}", (x, v) => ModelArtifacts(x).GetAsync(v));
    }

    private static IEnumerable<Case> Metaflow()
    {
        const string b = "Metaflow";
        static MetaflowMetadataClient Metadata(IMlopsBackend backend) => backend.GetService<MetaflowMetadataClient>()!;
        yield return new(b, "flow", "Pipelines.Get", Kind.Segment, "GET /flows/{v}", (x, v) => x.Pipelines.GetAsync(v));
        yield return new(b, "list runs flow", "Runs.List", Kind.Segment, "GET /flows/{v}/runs", (x, v) => Drain(x.Runs.ListAsync(new RunQuery { PipelineId = v })));
        yield return new(b, "run flow", "Runs.Get", Kind.Segment, "GET /flows/{v}/runs/1", (x, v) => x.Runs.GetAsync(v + "/1"));
        yield return new(b, "run id", "Runs.Get", Kind.Segment, "GET /flows/F/runs/{v}", (x, v) => x.Runs.GetAsync("F/" + v));
        yield return new Case(b, "tag run id", "Runs.SetTag", Kind.Segment, "GET /flows/F/runs/{v}", (x, v) => x.Runs.SetTagAsync("F/" + v, "k", "v")) with { Before = ["GET /ping"] };
        yield return new(b, "task runs run id", "Pipelines.ListTaskRuns", Kind.Segment, "GET /flows/F/runs/{v}", (x, v) => Drain(x.Pipelines.ListTaskRunsAsync("F/" + v)));
        yield return new(b, "steps run id", "Metadata.ListSteps", Kind.Segment, "GET /flows/F/runs/{v}/steps", (x, v) => Drain(Metadata(x).ListStepsAsync("F/" + v)));
        yield return new(b, "tasks step", "Metadata.ListTasks", Kind.Segment, "GET /flows/F/runs/1/steps/{v}/tasks", (x, v) => Drain(Metadata(x).ListTasksAsync("F/1", v)));
        yield return new(b, "task id", "Metadata.GetTask", Kind.Segment, "GET /flows/F/runs/1/steps/s/tasks/{v}", (x, v) => Metadata(x).GetTaskAsync("F/1", "s", v));
        yield return new Case(b, "filter pattern", "Metadata.FilterTasks", Kind.Query, "GET /flows/F/runs/1/steps/s/filtered_tasks?pattern={v}", (x, v) => Metadata(x).FilterTasksAsync("F/1", "s", "f", v)) with { Before = ["GET /ping"] };
        yield return new(b, "task metadata task id", "Metadata.ListTaskMetadata", Kind.Segment, "GET /flows/F/runs/1/steps/s/tasks/{v}/metadata", (x, v) => Drain(Metadata(x).ListTaskMetadataAsync("F/1", "s", v)));
        yield return new(b, "artifact name", "Metadata.GetArtifact", Kind.Segment, "GET /flows/F/runs/1/steps/s/tasks/t/artifacts/{v}", (x, v) => Metadata(x).GetArtifactAsync("F/1", "s", "t", v));
    }

    private static async Task Drain<T>(IAsyncEnumerable<T> items)
    {
        await foreach (var _ in items)
        {
        }
    }
}
