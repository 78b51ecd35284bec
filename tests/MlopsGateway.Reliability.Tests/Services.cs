using System.Text.Json.Nodes;
using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>The matrix's columns: the four adapters, the Airflow 3 token endpoint and the Kubeflow Model Registry.</summary>
internal static class Services
{
    public const string MLflowRecording = "mlflow-2.17.2.jsonl";
    public const string AirflowRecording = "airflow-3.0.jsonl";
    public const string MetaflowRecording = "metaflow-2.5.1.jsonl";
    private const string RunId = "e7beb677700c4a478e60ed0d027f0b92";

    public static readonly ServiceUnderTest MLflow = new()
    {
        Name = "MLflow",
        Operation = "Runs.Get",
        Call = "Runs.GetAsync(runId)",
        Configure = (o, _) => o.Type = "MLflow",
        Healthy = s => s.ServeRecording(MLflowRecording),
        Target = ("GET", "/api/2.0/mlflow/runs/get"),
        Act = (b, ct) => b.Runs.GetAsync(RunId, ct),
        Create = new("Runs.Start", "Runs.StartAsync(experiment)", "POST", "/api/2.0/mlflow/runs/create",
            (b, ct) => b.Runs.StartAsync("e8qn7u-exp-main", cancellationToken: ct)),
    };

    public static readonly ServiceUnderTest Airflow = new()
    {
        Name = "Airflow",
        Operation = "Pipelines.Get",
        Call = "Pipelines.GetAsync(dagId)",
        Configure = ConfigureAirflow,
        Healthy = ServeAirflow,
        Target = ("GET", "/api/v2/dags/train_evaluate"),
        Act = (b, ct) => b.Pipelines.GetAsync("train_evaluate", ct),
        Create = new("Pipelines.Trigger", "Pipelines.TriggerAsync(dagId)", "POST", "/api/v2/dags/train_evaluate/dagRuns",
            (b, ct) => b.Pipelines.TriggerAsync("train_evaluate", cancellationToken: ct)),
    };

    public static readonly ServiceUnderTest AirflowTokenEndpoint = new()
    {
        Name = "Airflow token endpoint",
        Operation = "Pipelines.Get",
        Call = "Pipelines.GetAsync(dagId)",
        Configure = ConfigureAirflow,
        Healthy = ServeAirflow,
        Target = ("POST", "/auth/token"),
        Act = (b, ct) => b.Pipelines.GetAsync("train_evaluate", ct),
        FaultsHitApiRequests = false,
    };

    public static readonly ServiceUnderTest Kubeflow = new()
    {
        Name = "Kubeflow",
        Operation = "Pipelines.Get",
        Call = "Pipelines.GetAsync(pipelineId)",
        Configure = ConfigureKubeflow,
        Healthy = ServeKubeflow,
        Target = ("GET", "/apis/v2beta1/pipelines/p-1"),
        Act = (b, ct) => b.Pipelines.GetAsync("p-1", ct),
        Create = new("Pipelines.Trigger", "Pipelines.TriggerAsync(pipelineId)", "POST", "/apis/v2beta1/runs",
            (b, ct) => b.Pipelines.TriggerAsync("p-1", cancellationToken: ct)),
    };

    public static readonly ServiceUnderTest ModelRegistry = new()
    {
        Name = "Kubeflow Model Registry",
        Operation = "Models.GetModel",
        Call = "Models.GetModelAsync(name)",
        Configure = ConfigureKubeflow,
        Endpoint = "ModelRegistry",
        Healthy = ServeKubeflow,
        Target = ("GET", "/api/model_registry/v1alpha3/registered_model"),
        Act = (b, ct) => b.Models.GetModelAsync("fraud", ct),
        Create = new("Models.CreateModel", "Models.CreateModelAsync(name)", "POST", "/api/model_registry/v1alpha3/registered_models",
            (b, ct) => b.Models.CreateModelAsync("fraud-2", cancellationToken: ct)),
    };

    public static readonly ServiceUnderTest Metaflow = new()
    {
        Name = "Metaflow",
        Operation = "Runs.Get",
        Call = "Runs.GetAsync(\"Flow/24\")",
        Configure = (o, _) => o.Type = "Metaflow",
        Healthy = s => s.ServeRecording(MetaflowRecording)
            .Route("GET", "/flows/{flow}/runs/{run}/steps/{step}/tasks", _ => FakeResponse.Text(200, "[]", "text/plain; charset=utf-8"))
            .Route("GET", "/flows/{flow}/runs/{run}/steps/{step}/artifacts", _ => FakeResponse.Text(200, "[]", "text/plain; charset=utf-8")),
        Target = ("GET", "/flows/e8qn7uTrainFlow/runs/24"),
        Act = (b, ct) => b.Runs.GetAsync("e8qn7uTrainFlow/24", ct),
        Create = new("Runs.CreateRun", "Runs.CreateRunAsync(flow)", "POST", "/flows/e8qn7uTrainFlow/run",
            (b, ct) => b.Runs.CreateRunAsync("e8qn7uTrainFlow", cancellationToken: ct)),
    };

    public static readonly ServiceUnderTest[] All = [MLflow, Airflow, AirflowTokenEndpoint, Kubeflow, ModelRegistry, Metaflow];

    public static ServiceUnderTest Named(string name) => All.Single(s => s.Name == name);

    /// <summary>The healthy answer of the operation's target request (the body a fault replaces).</summary>
    public static FakeResponse HealthyTarget(ServiceUnderTest service) => service.Name switch
    {
        "MLflow" => RecordedAnswers.Respond(RecordedAnswers.Exchange(MLflowRecording, "run-get")),
        "Airflow" => AirflowDag(),
        "Airflow token endpoint" => Token("healthy"),
        "Kubeflow" => FakeResponse.Json(200, KfpPipeline()),
        "Kubeflow Model Registry" => FakeResponse.Json(200, RegisteredModel("1", "fraud")),
        _ => RecordedAnswers.Respond(RecordedAnswers.Exchange(MetaflowRecording, "run-get")),
    };

    /// <summary>A token endpoint answer with a JWT that expires in an hour of the cell's clock.</summary>
    public static FakeResponse Token(string id, DateTimeOffset? now = null)
        => FakeResponse.Json(201, new JsonObject { ["access_token"] = Jwt(id, (now ?? Cell.Start).AddHours(1)) });

    public static string Jwt(string id, DateTimeOffset expires)
    {
        static string Part(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"HS512","typ":"JWT"}""")}.{Part($$"""{"sub":"admin","jti":"{{id}}","exp":{{expires.ToUnixTimeSeconds()}}}""")}.c2ln";
    }

    private static void ConfigureAirflow(BackendOptions options, Uri _)
    {
        options.Type = "Airflow";
        options.Settings["ApiVersion"] = "v2";
        options.Auth.Type = "TokenExchange";
        options.Auth.Username = "admin";
        options.Auth.Password = "admin";
    }

    private static void ServeAirflow(FakeServer server)
        => server.ServeRecording(AirflowRecording)
            .Route("POST", "/auth/token", _ => Token("healthy"))
            .Route("GET", "/api/v2/dags/train_evaluate", _ => AirflowDag());

    private static FakeResponse AirflowDag() => RecordedAnswers.Respond(RecordedAnswers.Exchange(AirflowRecording, "dag-pause")) with { Status = 200 };

    private static void ConfigureKubeflow(BackendOptions options, Uri baseUri)
    {
        options.Type = "Kubeflow";
        options.Endpoints["ModelRegistry"] = new EndpointOptions { BaseUrl = baseUri.ToString() };
    }

    private static void ServeKubeflow(FakeServer server)
        => server
            .Route("GET", "/apis/v2beta1/pipelines/p-1", _ => FakeResponse.Json(200, KfpPipeline()))
            .Route("POST", "/apis/v2beta1/runs", r => FakeResponse.Json(200, KfpRun(r.Json)))
            .Route("GET", "/api/model_registry/v1alpha3/registered_model", r => FakeResponse.Json(200, RegisteredModel("1", r.Query("name") ?? "fraud")))
            .Route("POST", "/api/model_registry/v1alpha3/registered_models", r => FakeResponse.Json(201, RegisteredModel("2", r.Json?["name"]?.GetValue<string>() ?? "fraud-2")));

    private static JsonObject KfpPipeline() => new()
    {
        ["pipeline_id"] = "p-1",
        ["display_name"] = "train",
        ["name"] = "train",
        ["description"] = "prepare, train, evaluate",
        ["created_at"] = "2026-01-01T00:00:00Z",
        ["namespace"] = "",
    };

    private static JsonObject KfpRun(JsonNode? request) => new()
    {
        ["run_id"] = "r-1",
        ["experiment_id"] = "e-1",
        ["display_name"] = request?["display_name"]?.DeepClone() ?? "run",
        ["pipeline_version_reference"] = request?["pipeline_version_reference"]?.DeepClone() ?? new JsonObject { ["pipeline_id"] = "p-1" },
        ["runtime_config"] = new JsonObject { ["parameters"] = new JsonObject() },
        ["storage_state"] = "AVAILABLE",
        ["state"] = "PENDING",
        ["created_at"] = "2026-01-01T00:00:00Z",
        ["scheduled_at"] = "2026-01-01T00:00:00Z",
        ["finished_at"] = "1970-01-01T00:00:00Z",
    };

    private static JsonObject RegisteredModel(string id, string name) => new()
    {
        ["id"] = id,
        ["name"] = name,
        ["state"] = "LIVE",
        ["createTimeSinceEpoch"] = "1767225600000",
        ["lastUpdateTimeSinceEpoch"] = "1767225600000",
        ["customProperties"] = new JsonObject(),
    };
}
