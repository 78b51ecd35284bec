using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests.Fakes;

/// <summary>
/// A stateful in-process Kubeflow Pipelines v2beta1 + Model Registry v1alpha3 server on Kestrel (127.0.0.1:0),
/// written from the official specs and the KFP digest with raw <see cref="JsonNode"/>s — never the adapter's
/// DTOs — so a misreading on one side is not silently repeated on the other. Zero values are omitted like
/// grpc-gateway does, errors use the gRPC <c>{code, message, details}</c> shape (the upload handlers the v1
/// <c>{error_message, error_details}</c> shape, the registry <c>{code: "string", message}</c>), and run progress
/// is driven by the test through <see cref="Step"/> / <see cref="SetRunState"/> (or <see cref="StepOnEveryRunRead"/>).
/// </summary>
public sealed class KubeflowFake : IAsyncDisposable
{
    private const string Kfp = "/apis/v2beta1/";
    private const string Mr = "/api/model_registry/v1alpha3/";
    private static readonly string[] Terminal = ["SUCCEEDED", "FAILED", "CANCELED", "SKIPPED"];

    private readonly object _gate = new();
    private readonly Dictionary<string, JsonObject> _pipelines = [];
    private readonly Dictionary<string, JsonObject> _versions = [];
    private readonly Dictionary<string, JsonObject> _experiments = [];
    private readonly Dictionary<string, JsonObject> _runs = [];
    private readonly Dictionary<string, JsonObject> _recurring = [];
    private readonly Dictionary<string, JsonObject> _models = [];
    private readonly Dictionary<string, JsonObject> _modelVersions = [];
    private readonly Dictionary<string, JsonObject> _artifacts = [];
    private readonly Dictionary<string, List<string>> _versionArtifacts = [];
    private readonly Dictionary<string, byte[]> _nodeArtifacts = [];
    private readonly Dictionary<string, string> _outcomes = [];
    private readonly Queue<(string Method, string PathPrefix, int Status, string Body)> _failures = new();
    private int _mrIds;

    private KubeflowFake(TimeProvider time) => Time = time;

    /// <summary>The server (its recorded requests and base URI).</summary>
    public FakeServer Server { get; private set; } = null!;

    /// <summary>The base URI for both APIs.</summary>
    public Uri BaseUri => Server.BaseUri;

    /// <summary>The clock used for timestamps.</summary>
    public TimeProvider Time { get; }

    /// <summary>What <c>healthz</c> reports and whether namespace rules are enforced.</summary>
    public bool MultiUser { get; set; }

    /// <summary>When set, a request without <c>Authorization: Bearer {AcceptedToken}</c> gets 401 UNAUTHENTICATED.</summary>
    public string? AcceptedToken { get; set; }

    /// <summary>
    /// When true, every <c>GET /runs/{id}</c> first advances that run one step: PENDING→RUNNING, CANCELING→CANCELED,
    /// and RUNNING→its outcome only once <see cref="SetOutcome"/> gave one (a run stays running until the test decides).
    /// </summary>
    public bool StepOnEveryRunRead { get; set; }

    /// <summary>With <see cref="StepOnEveryRunRead"/>: a running run without an outcome succeeds at its next read.</summary>
    public bool SucceedByDefault { get; set; }

    /// <summary>Decides how a running run ends at its next step (<see cref="Step"/> uses SUCCEEDED when none is set).</summary>
    public void SetOutcome(string runId, string state)
    {
        lock (_gate)
        {
            _outcomes[runId] = state;
        }
    }

    /// <summary>Starts the fake.</summary>
    /// <param name="time">The clock for timestamps (system time when null).</param>
    public static Task<KubeflowFake> StartAsync(TimeProvider? time = null)
    {
        var fake = new KubeflowFake(time ?? TimeProvider.System);
        fake.Server = FakeServer.Start().Fallback(fake.Handle);
        return Task.FromResult(fake);
    }

    /// <summary>The next request whose method and path prefix match gets this status and body instead.</summary>
    public void FailNext(string method, string pathPrefix, int status, string body)
    {
        lock (_gate)
        {
            _failures.Enqueue((method, pathPrefix, status, body));
        }
    }

    /// <summary>Advances every non-terminal run one step: PENDING→RUNNING→(outcome), CANCELING→CANCELED.</summary>
    public void Step()
    {
        lock (_gate)
        {
            foreach (var id in _runs.Keys.ToList())
            {
                StepRun(id, "SUCCEEDED");
            }
        }
    }

    /// <summary>Forces a run into a state (tasks follow it).</summary>
    public void SetRunState(string runId, string state)
    {
        lock (_gate)
        {
            SetState(_runs[runId], state);
        }
    }

    /// <summary>Stores bytes that read-artifact serves for a node of a run.</summary>
    public void SetNodeArtifact(string runId, string nodeId, string artifactName, byte[] data)
    {
        lock (_gate)
        {
            _nodeArtifacts[$"{runId}/{nodeId}/{artifactName}"] = data;
        }
    }

    /// <summary>A snapshot of a stored run.</summary>
    public JsonObject Run(string runId)
    {
        lock (_gate)
        {
            return (JsonObject)_runs[runId].DeepClone();
        }
    }

    /// <summary>A snapshot of the stored registered model with this name.</summary>
    public JsonObject Model(string name)
    {
        lock (_gate)
        {
            return (JsonObject)_models.Values.Single(m => (string?)m["name"] == name).DeepClone();
        }
    }

    /// <summary>Stored model versions of a registered model (archived included).</summary>
    public IReadOnlyList<JsonObject> ModelVersions(string modelName)
    {
        lock (_gate)
        {
            var id = (string)Model(modelName)["id"]!;
            return _modelVersions.Values.Where(v => (string?)v["registeredModelId"] == id).Select(v => (JsonObject)v.DeepClone()).ToList();
        }
    }

    /// <summary>Stores an artifact of a model version as another client would register it (any kind, any properties); returns its id.</summary>
    public string AddVersionArtifact(string versionId, JsonObject artifact)
    {
        lock (_gate)
        {
            return (string)StoreArtifact(versionId, (JsonObject)artifact.DeepClone())["id"]!;
        }
    }

    /// <summary>A snapshot of a stored artifact.</summary>
    public JsonObject Artifact(string id)
    {
        lock (_gate)
        {
            return (JsonObject)_artifacts[id].DeepClone();
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Server.DisposeAsync();

    // ---- dispatch -----------------------------------------------------------------------------------

    private FakeResponse Handle(FakeRequest http)
    {
        var path = http.Path;
        var method = http.Method;
        var body = ReadBody(http);
        lock (_gate)
        {
            if (_failures.Count > 0 && _failures.Peek() is var f && f.Method == method && path.StartsWith(f.PathPrefix, StringComparison.Ordinal))
            {
                _failures.Dequeue();
                return Json(f.Status, f.Body);
            }
            if (AcceptedToken is not null && (http.Header("Authorization") ?? "") != $"Bearer {AcceptedToken}")
            {
                return path.StartsWith(Mr, StringComparison.Ordinal)
                    ? MrError(401, "UNAUTHENTICATED", "invalid token")
                    : Grpc(401, 16, "Request header error: Failed to review the token provided").Result;
            }
            var q = http;
            try
            {
                if (path.StartsWith(Kfp, StringComparison.Ordinal))
                {
                    return HandleKfp(method, path[Kfp.Length..], q, body, http);
                }
                if (path.StartsWith(Mr, StringComparison.Ordinal))
                {
                    return HandleMr(method, path[Mr.Length..], q, body);
                }
                return Json(404, """{"error":"no such API"}""");
            }
            catch (FakeError e)
            {
                return e.Result;
            }
        }
    }

    private static JsonNode? ReadBody(FakeRequest http)
    {
        if (http.HasFormContentType)
        {
            return null;
        }
        var text = http.Body;
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    // ---- KFP ----------------------------------------------------------------------------------------

    private FakeResponse HandleKfp(string method, string rest, FakeRequest q, JsonNode? body, FakeRequest http)
    {
        var (path, verb) = SplitVerb(rest);
        var s = path.Split('/');
        switch (method, s.Length, s[0], verb)
        {
            case ("GET", 1, "healthz", null):
                return Ok(new JsonObject { ["commit_sha"] = "4a3592cb", ["tag_name"] = "2.17.0", ["multi_user"] = MultiUser ? true : null, ["pipeline_store"] = "database" });

            // pipelines
            case ("GET", 1, "pipelines", null):
                return List("pipelines", _pipelines.Values.Where(p => Namespace(q) is not { } ns || (string?)p["namespace"] == ns), q, Filter(q));
            case ("POST", 2, "pipelines", null) when s[1] == "upload":
                return UploadPipeline(q, http);
            case ("POST", 2, "pipelines", null) when s[1] == "upload_version":
                return UploadVersion(q, http);
            case ("GET", 3, "pipelines", null) when s[1] == "names":
                return Ok(_pipelines.Values.FirstOrDefault(p => (string?)p["name"] == s[2] && (string?)p["namespace"] == Namespace(q))
                    ?? throw NotFound($"Pipeline with name {s[2]} not found"));
            case ("GET", 2, "pipelines", null):
                return Ok(Get(_pipelines, s[1], "Pipeline"));
            case ("DELETE", 2, "pipelines", null):
                return DeletePipeline(s[1], q);
            case ("GET", 3, "pipelines", null) when s[2] == "versions":
                Get(_pipelines, s[1], "Pipeline");
                return List("pipeline_versions", _versions.Values.Where(v => (string?)v["pipeline_id"] == s[1]), q, Filter(q));
            case ("GET", 4, "pipelines", null) when s[2] == "versions":
                return Ok(Version(s[1], s[3]));
            case ("DELETE", 4, "pipelines", null) when s[2] == "versions":
                Version(s[1], s[3]);
                _versions.Remove(s[3]);
                return Ok([]);

            // experiments
            case ("POST", 1, "experiments", null):
                return CreateExperiment(Body(body));
            case ("GET", 1, "experiments", null):
                if (MultiUser && Namespace(q) is null)
                {
                    throw Grpc400("Invalid input error: In multi-user mode, ListExperiment requires filtering by namespace");
                }
                return List("experiments", _experiments.Values.Where(e => Namespace(q) is not { } ns || (string?)e["namespace"] == ns), q, Filter(q));
            case ("GET", 2, "experiments", null):
                return Ok(Get(_experiments, s[1], "Experiment"));
            case ("DELETE", 2, "experiments", null):
                Get(_experiments, s[1], "Experiment");
                _experiments.Remove(s[1]);
                return Ok([]);
            case ("POST", 2, "experiments", "archive" or "unarchive"):
                var experiment = Get(_experiments, s[1], "Experiment");
                experiment["storage_state"] = verb == "archive" ? "ARCHIVED" : "AVAILABLE";
                if (verb == "archive")
                {
                    foreach (var r in _runs.Values.Where(r => (string?)r["experiment_id"] == s[1]))
                    {
                        r["storage_state"] = "ARCHIVED";
                    }
                }
                return Ok([]);

            // runs
            case ("POST", 1, "runs", null):
                return CreateRun(Body(body));
            case ("GET", 1, "runs", null):
                return ListRuns(q);
            case ("GET", 2, "runs", null):
                if (StepOnEveryRunRead && _runs.ContainsKey(s[1]))
                {
                    StepRun(s[1], SucceedByDefault ? "SUCCEEDED" : null);
                }
                return Ok(Get(_runs, s[1], "Run"));
            case ("DELETE", 2, "runs", null):
                Get(_runs, s[1], "Run");
                _runs.Remove(s[1]);
                return Ok([]);
            case ("POST", 2, "runs", "terminate"):
                var toStop = Get(_runs, s[1], "Run");
                if (!Terminal.Contains((string?)toStop["state"]))
                {
                    SetState(toStop, "CANCELING");
                }
                return Ok([]);
            case ("POST", 2, "runs", "retry"):
                var toRetry = Get(_runs, s[1], "Run");
                if ((string?)toRetry["state"] is not ("FAILED" or "CANCELED"))
                {
                    throw Grpc(400, 9, $"Failed to retry a run: Cannot retry run {s[1]} in state {(string?)toRetry["state"]}: only failed or terminated runs can be retried");
                }
                SetState(toRetry, "RUNNING");
                return Ok([]);
            case ("POST", 2, "runs", "archive" or "unarchive"):
                Get(_runs, s[1], "Run")["storage_state"] = verb == "archive" ? "ARCHIVED" : "AVAILABLE";
                return Ok([]);
            case ("GET", 6, "runs", "read") when s[2] == "nodes" && s[4] == "artifacts":
                Get(_runs, s[1], "Run");
                return _nodeArtifacts.TryGetValue($"{s[1]}/{s[3]}/{s[5]}", out var data)
                    ? Ok(new JsonObject { ["data"] = Convert.ToBase64String(data) })
                    : Json(404, new JsonObject { ["error_message"] = $"Artifact {s[5]} of node {s[3]} not found", ["error_details"] = "not found" }.ToJsonString());

            // recurring runs
            case ("POST", 1, "recurringruns", null):
                return CreateRecurringRun(Body(body));
            case ("GET", 1, "recurringruns", null):
                var schedules = _recurring.Values.Where(r => (q.Query("experiment_id") ?? "") is not { Length: > 0 } e || (string?)r["experiment_id"] == e);
                return List("recurringRuns", schedules, q, null);
            case ("GET", 2, "recurringruns", null):
                return Ok(Get(_recurring, s[1], "RecurringRun"));
            case ("POST", 2, "recurringruns", "enable" or "disable"):
                var rr = Get(_recurring, s[1], "RecurringRun");
                rr["status"] = verb == "enable" ? "ENABLED" : "DISABLED";
                rr["mode"] = verb == "enable" ? "ENABLE" : "DISABLE";
                rr["updated_at"] = Now();
                return Ok([]);
            case ("DELETE", 2, "recurringruns", null):
                Get(_recurring, s[1], "RecurringRun");
                _recurring.Remove(s[1]);
                return Ok([]);
        }
        return Grpc(404, 5, $"Not Found: {method} /apis/v2beta1/{rest}").Result;
    }

    private FakeResponse UploadPipeline(FakeRequest q, FakeRequest http)
    {
        var file = http.FormFile("uploadfile");
        if (file is null)
        {
            return Json(400, """{"error_message":"Failed to create a pipeline due to error parsing pipeline spec filename: http: no such file","error_details":"missing uploadfile"}""");
        }
        var name = Param(q, "name") ?? Param(q, "display_name") ?? file.FileName;
        var ns = Param(q, "namespace") ?? "";
        if (_pipelines.Values.Any(p => (string?)p["name"] == name && ((string?)p["namespace"] ?? "") == ns))
        {
            return Json(409, new JsonObject { ["error_message"] = $"Failed to create a pipeline: Pipeline with name {name} already exists", ["error_details"] = "AlreadyExists" }.ToJsonString());
        }
        var pipeline = new JsonObject
        {
            ["pipeline_id"] = NextId(),
            ["name"] = name,
            ["display_name"] = Param(q, "display_name") ?? name,
            ["description"] = Param(q, "description"),
            ["created_at"] = Now(),
            ["namespace"] = ns.Length == 0 ? null : ns,
        };
        _pipelines[(string)pipeline["pipeline_id"]!] = Clean(pipeline);
        AddVersion((string)pipeline["pipeline_id"]!, name, null, ReadSpec(file));
        return Ok(pipeline);
    }

    private FakeResponse UploadVersion(FakeRequest q, FakeRequest http)
    {
        var file = http.FormFile("uploadfile");
        var pipelineId = Param(q, "pipelineid");
        if (file is null || pipelineId is null)
        {
            return Json(400, """{"error_message":"Failed to create a pipeline version: pipelineid and uploadfile are required","error_details":"bad request"}""");
        }
        if (!_pipelines.ContainsKey(pipelineId))
        {
            return Json(404, new JsonObject { ["error_message"] = $"Pipeline {pipelineId} not found", ["error_details"] = "NotFound" }.ToJsonString());
        }
        var name = Param(q, "name") ?? Param(q, "display_name") ?? file.FileName;
        if (_versions.Values.Any(v => (string?)v["pipeline_id"] == pipelineId && (string?)v["name"] == name))
        {
            return Json(409, new JsonObject { ["error_message"] = $"Pipeline version {name} already exists", ["error_details"] = "AlreadyExists" }.ToJsonString());
        }
        return Ok(AddVersion(pipelineId, name, Param(q, "description"), ReadSpec(file)));
    }

    private static JsonObject ReadSpec(FakeFormFile file)
    {
        var text = Encoding.UTF8.GetString(file.Content);
        return new JsonObject { ["pipelineInfo"] = new JsonObject { ["name"] = "uploaded" }, ["sdkVersion"] = "kfp-2.x", ["bytes"] = text.Length };
    }

    private JsonObject AddVersion(string pipelineId, string name, string? description, JsonObject spec)
    {
        var version = Clean(new JsonObject
        {
            ["pipeline_id"] = pipelineId,
            ["pipeline_version_id"] = NextId(),
            ["name"] = name,
            ["display_name"] = name,
            ["description"] = description,
            ["created_at"] = Now(),
            ["pipeline_spec"] = spec,
        });
        _versions[(string)version["pipeline_version_id"]!] = version;
        return version;
    }

    private FakeResponse DeletePipeline(string id, FakeRequest q)
    {
        Get(_pipelines, id, "Pipeline");
        var versions = _versions.Values.Where(v => (string?)v["pipeline_id"] == id).ToList();
        if (versions.Count > 0 && Param(q, "cascade") != "true")
        {
            throw Grpc(400, 9, $"Failed to delete pipeline {id}: pipeline has {versions.Count} existing version(s); delete them first or set cascade=true");
        }
        foreach (var v in versions)
        {
            _versions.Remove((string)v["pipeline_version_id"]!);
        }
        _pipelines.Remove(id);
        return Ok([]);
    }

    private JsonObject Version(string pipelineId, string versionId)
        => _versions.TryGetValue(versionId, out var v) && (string?)v["pipeline_id"] == pipelineId
            ? v
            : throw NotFound($"PipelineVersion {versionId} not found");

    private FakeResponse CreateExperiment(JsonObject body)
    {
        var name = (string?)body["display_name"];
        if (string.IsNullOrEmpty(name))
        {
            throw Grpc400("Invalid input error: Experiment display name cannot be empty");
        }
        var ns = (string?)body["namespace"];
        if (MultiUser && string.IsNullOrEmpty(ns))
        {
            throw Grpc400("Invalid input error: In multi-user mode, experiment namespace cannot be empty");
        }
        if (!MultiUser)
        {
            ns = null;
        }
        if (_experiments.Values.Any(e => (string?)e["display_name"] == name && (string?)e["namespace"] == ns))
        {
            throw Grpc(409, 6, $"Already exist error: Failed to create a new experiment. The name {name} already exists. Please specify a new name");
        }
        var experiment = Clean(new JsonObject
        {
            ["experiment_id"] = NextId(),
            ["display_name"] = name,
            ["description"] = (string?)body["description"],
            ["created_at"] = Now(),
            ["namespace"] = ns,
            ["storage_state"] = "AVAILABLE",
        });
        _experiments[(string)experiment["experiment_id"]!] = experiment;
        return Ok(experiment);
    }

    private FakeResponse CreateRun(JsonObject body)
    {
        if (string.IsNullOrEmpty((string?)body["display_name"]))
        {
            throw Grpc400("Invalid input error: The run name is empty. Please specify a valid name");
        }
        var reference = body["pipeline_version_reference"] as JsonObject
            ?? throw Grpc400("Invalid input error: Neither pipeline spec nor pipeline version reference is provided");
        var pipelineId = (string?)reference["pipeline_id"] ?? "";
        Get(_pipelines, pipelineId, "Pipeline");
        var versionId = (string?)reference["pipeline_version_id"];
        var version = versionId is null
            ? _versions.Values.Where(v => (string?)v["pipeline_id"] == pipelineId).OrderBy(v => (string?)v["created_at"], StringComparer.Ordinal).LastOrDefault()
                ?? throw NotFound($"Pipeline {pipelineId} has no versions")
            : Version(pipelineId, versionId);
        var experimentId = (string?)body["experiment_id"];
        if (string.IsNullOrEmpty(experimentId))
        {
            if (MultiUser)
            {
                throw Grpc400("Invalid input error: Experiment id can not be empty in multi-user mode");
            }
            experimentId = DefaultExperiment();
        }
        else
        {
            Get(_experiments, experimentId, "Experiment");
        }
        var now = Now();
        var run = Clean(new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["run_id"] = NextId(),
            ["display_name"] = (string?)body["display_name"],
            ["description"] = (string?)body["description"],
            ["storage_state"] = "AVAILABLE",
            ["pipeline_version_reference"] = new JsonObject { ["pipeline_id"] = pipelineId, ["pipeline_version_id"] = (string)version["pipeline_version_id"]! },
            ["runtime_config"] = body["runtime_config"]?.DeepClone(),
            ["service_account"] = (string?)body["service_account"] ?? "pipeline-runner",
            ["created_at"] = now,
            ["scheduled_at"] = now,
            ["finished_at"] = "1970-01-01T00:00:00Z",
            ["state"] = "PENDING",
            ["state_history"] = new JsonArray(new JsonObject { ["update_time"] = now, ["state"] = "PENDING" }),
        });
        _runs[(string)run["run_id"]!] = run;
        return Ok(run);
    }

    private string DefaultExperiment()
    {
        var existing = _experiments.Values.FirstOrDefault(e => (string?)e["display_name"] == "Default");
        if (existing is not null)
        {
            return (string)existing["experiment_id"]!;
        }
        var id = NextId();
        _experiments[id] = new JsonObject { ["experiment_id"] = id, ["display_name"] = "Default", ["created_at"] = Now(), ["storage_state"] = "AVAILABLE" };
        return id;
    }

    private FakeResponse ListRuns(FakeRequest q)
    {
        var experimentId = Param(q, "experiment_id");
        var ns = Namespace(q);
        if (MultiUser && experimentId is null && ns is null)
        {
            throw Grpc400("Invalid input error: ListRuns must filter by resource reference in multi-user mode.");
        }
        var runs = _runs.Values.Where(r => experimentId is null || (string?)r["experiment_id"] == experimentId);
        return List("runs", runs, q, Filter(q));
    }

    private FakeResponse CreateRecurringRun(JsonObject body)
    {
        if (string.IsNullOrEmpty((string?)body["display_name"]))
        {
            throw Grpc400("Invalid input error: The recurring run name is empty");
        }
        var maxConcurrency = body["max_concurrency"] is JsonValue mc && long.TryParse(mc.ToString(), out var m) ? m : 0;
        if (maxConcurrency is < 1 or > 10)
        {
            throw Grpc400($"Invalid input error: max concurrency of recurring run must be in the range of [1, 10]. Got {maxConcurrency}");
        }
        var cron = (string?)body["trigger"]?["cron_schedule"]?["cron"];
        if (cron is not null && cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6 && !cron.StartsWith('@'))
        {
            throw Grpc400($"Invalid input error: Schedule cron is not a supported format(https://godoc.org/github.com/robfig/cron). Error: Expected 6 fields, found {cron.Split(' ').Length}: {cron}");
        }
        var pipelineId = (string?)body["pipeline_version_reference"]?["pipeline_id"] ?? "";
        Get(_pipelines, pipelineId, "Pipeline");
        var now = Now();
        var rr = (JsonObject)body.DeepClone();
        rr["recurring_run_id"] = NextId();
        rr["created_at"] = now;
        rr["updated_at"] = now;
        rr["status"] = (string?)body["mode"] == "DISABLE" ? "DISABLED" : "ENABLED";
        rr["experiment_id"] = (string?)body["experiment_id"] ?? DefaultExperiment();
        _recurring[(string)rr["recurring_run_id"]!] = rr;
        return Ok(rr);
    }

    private void StepRun(string id, string? defaultOutcome)
    {
        var run = _runs[id];
        var next = (string?)run["state"] switch
        {
            "PENDING" => "RUNNING",
            "RUNNING" when _outcomes.Remove(id, out var outcome) => outcome,
            "RUNNING" => defaultOutcome,
            "CANCELING" => "CANCELED",
            _ => null,
        };
        if (next is not null)
        {
            SetState(run, next);
        }
    }

    private void SetState(JsonObject run, string state)
    {
        var now = Now();
        run["state"] = state;
        ((JsonArray)(run["state_history"] ??= new JsonArray())).Add(new JsonObject { ["update_time"] = now, ["state"] = state });
        if (Terminal.Contains(state))
        {
            run["finished_at"] = now;
        }
        var id = (string)run["run_id"]!;
        var taskState = state == "CANCELING" ? "RUNNING" : state;
        run["run_details"] = new JsonObject
        {
            ["pipeline_context_id"] = "101",
            ["pipeline_run_context_id"] = "102",
            ["task_details"] = new JsonArray(
                Clean(new JsonObject
                {
                    ["run_id"] = id, ["task_id"] = id + "-train", ["display_name"] = "train", ["create_time"] = (string?)run["created_at"],
                    ["start_time"] = (string?)run["created_at"], ["end_time"] = Terminal.Contains(state) ? now : null, ["state"] = taskState,
                    ["execution_id"] = "7", ["pod_name"] = id + "-train-pod",
                    ["state_history"] = new JsonArray(new JsonObject { ["update_time"] = now, ["state"] = taskState }),
                }),
                new JsonObject { ["run_id"] = id, ["task_id"] = id + "-eval", ["display_name"] = "evaluate", ["state"] = taskState, ["pod_name"] = id + "-eval-pod" }),
        };
    }

    // ---- Model Registry -----------------------------------------------------------------------------

    private FakeResponse HandleMr(string method, string rest, FakeRequest q, JsonNode? body)
    {
        var s = rest.Split('/');
        switch (method, s.Length, s[0])
        {
            case ("POST", 1, "registered_models"):
                return CreateModel(Body(body));
            case ("GET", 1, "registered_models"):
                return MrList(_models.Values, q);
            case ("GET", 1, "registered_model"):
                var byName = _models.Values.FirstOrDefault(m => (string?)m["name"] == Param(q, "name"));
                return byName is null ? MrError(404, "NOT_FOUND", $"no registered models found for name={Param(q, "name")}") : Ok(byName);
            case ("GET", 2, "registered_models"):
                return Ok(MrGet(_models, s[1], "registered model"));
            case ("PATCH", 2, "registered_models"):
                return Ok(Patch(MrGet(_models, s[1], "registered model"), Body(body), "name"));
            case ("GET", 3, "registered_models") when s[2] == "versions":
                MrGet(_models, s[1], "registered model");
                return MrList(_modelVersions.Values.Where(v => (string?)v["registeredModelId"] == s[1]), q);
            case ("POST", 1, "model_versions"):
                return CreateModelVersion(Body(body));
            case ("GET", 1, "model_version"):
                var version = _modelVersions.Values.FirstOrDefault(v => (string?)v["name"] == Param(q, "name") && (string?)v["registeredModelId"] == Param(q, "parentResourceId"));
                return version is null ? MrError(404, "NOT_FOUND", $"no model versions found for name={Param(q, "name")}") : Ok(version);
            case ("GET", 2, "model_versions"):
                return Ok(MrGet(_modelVersions, s[1], "model version"));
            case ("PATCH", 2, "model_versions"):
                return Ok(Patch(MrGet(_modelVersions, s[1], "model version"), Body(body), "name", "registeredModelId"));
            case ("GET", 1, "model_artifact"):
                var parent = Param(q, "parentResourceId");
                var artifact = _versionArtifacts.GetValueOrDefault(parent ?? "", []).Select(a => _artifacts[a]).FirstOrDefault(a => (string?)a["name"] == Param(q, "name"));
                return artifact is null ? MrError(404, "NOT_FOUND", $"no model artifacts found for name={Param(q, "name")}") : Ok(artifact);
            case ("GET", 3, "model_versions") when s[2] == "artifacts":
                MrGet(_modelVersions, s[1], "model version");
                return MrList(_versionArtifacts.GetValueOrDefault(s[1], []).Select(a => _artifacts[a]), q);
            case ("POST", 3, "model_versions") when s[2] == "artifacts":
                return AddArtifact(s[1], Body(body));
            case ("GET", 2, "model_artifacts"):
                return Ok(MrGet(_artifacts, s[1], "model artifact"));
            case ("PATCH", 2, "model_artifacts"):
                return Ok(Patch(MrGet(_artifacts, s[1], "model artifact"), Body(body), "name", "artifactType"));
        }
        return MrError(404, "NOT_FOUND", $"{method} {rest} is not served");
    }

    private FakeResponse CreateModel(JsonObject body)
    {
        var name = (string?)body["name"];
        if (string.IsNullOrEmpty(name))
        {
            return MrError(400, "BAD_REQUEST", "name is required");
        }
        if (_models.Values.Any(m => (string?)m["name"] == name))
        {
            return MrError(409, "CONFLICT", $"registered model with name {name} already exists");
        }
        var model = Stamp((JsonObject)body.DeepClone());
        model["state"] ??= "LIVE";
        _models[(string)model["id"]!] = model;
        return Json(201, model.ToJsonString());
    }

    private FakeResponse CreateModelVersion(JsonObject body)
    {
        var name = (string?)body["name"];
        var modelId = (string?)body["registeredModelId"];
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(modelId))
        {
            return MrError(400, "BAD_REQUEST", "name and registeredModelId are required");
        }
        MrGet(_models, modelId, "registered model");
        if (_modelVersions.Values.Any(v => (string?)v["registeredModelId"] == modelId && (string?)v["name"] == name))
        {
            return MrError(409, "CONFLICT", $"model version with name {name} already exists");
        }
        var version = Stamp((JsonObject)body.DeepClone());
        version["state"] ??= "LIVE";
        _modelVersions[(string)version["id"]!] = version;
        return Json(201, version.ToJsonString());
    }

    private FakeResponse AddArtifact(string versionId, JsonObject body)
    {
        MrGet(_modelVersions, versionId, "model version");
        var artifact = (JsonObject)body.DeepClone();
        artifact["artifactType"] ??= "model-artifact";
        artifact["state"] ??= "LIVE";
        return Json(201, StoreArtifact(versionId, artifact).ToJsonString());
    }

    private JsonObject StoreArtifact(string versionId, JsonObject artifact)
    {
        Stamp(artifact);
        _artifacts[(string)artifact["id"]!] = artifact;
        (_versionArtifacts.TryGetValue(versionId, out var list) ? list : _versionArtifacts[versionId] = []).Add((string)artifact["id"]!);
        return artifact;
    }

    private JsonObject Stamp(JsonObject entity)
    {
        var ms = Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        entity["id"] = (++_mrIds).ToString(CultureInfo.InvariantCulture);
        entity["createTimeSinceEpoch"] = ms;
        entity["lastUpdateTimeSinceEpoch"] = ms;
        return entity;
    }

    private JsonObject Patch(JsonObject target, JsonObject patch, params string[] immutable)
    {
        foreach (var (key, value) in patch)
        {
            if (immutable.Contains(key) && value?.ToString() != target[key]?.ToString())
            {
                throw new FakeError(MrError(400, "BAD_REQUEST", $"{key} cannot be changed"));
            }
            target[key] = value?.DeepClone();
        }
        target["lastUpdateTimeSinceEpoch"] = Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return target;
    }

    private static JsonObject MrGet(Dictionary<string, JsonObject> store, string id, string what)
        => store.TryGetValue(id, out var e) ? e : throw new FakeError(MrError(404, "NOT_FOUND", $"{what} with id {id} not found"));

    private static FakeResponse MrList(IEnumerable<JsonObject> items, FakeRequest q)
    {
        var all = items.OrderBy(i => long.Parse((string)i["id"]!, CultureInfo.InvariantCulture)).ToList();
        var size = int.TryParse(Param(q, "pageSize"), out var ps) && ps > 0 ? ps : 20;
        var offset = Param(q, "nextPageToken") is { } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture) : 0;
        var page = all.Skip(offset).Take(size).Select(i => i.DeepClone()).ToArray();
        var next = offset + page.Length < all.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Length).ToString(CultureInfo.InvariantCulture))) : "";
        return Ok(new JsonObject { ["items"] = new JsonArray(page), ["nextPageToken"] = next, ["pageSize"] = size, ["size"] = page.Length });
    }

    private static FakeResponse MrError(int status, string code, string message)
        => Json(status, new JsonObject { ["code"] = code, ["message"] = message }.ToJsonString());

    // ---- shared helpers -----------------------------------------------------------------------------

    private static (string Path, string? Verb) SplitVerb(string rest)
    {
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.IndexOf(':', lastSlash + 1);
        return colon < 0 ? (rest, null) : (rest[..colon], rest[(colon + 1)..]);
    }

    private FakeResponse List(string key, IEnumerable<JsonObject> items, FakeRequest q, JsonArray? predicates)
    {
        var pageSize = int.TryParse(Param(q, "page_size"), out var ps) ? ps : 20;
        if (pageSize < 0)
        {
            throw Grpc400("Invalid input error: page size must be non-negative");
        }
        pageSize = pageSize == 0 ? 20 : Math.Min(pageSize, 200);
        var filtered = items.Where(i => predicates is null || predicates.All(p => Matches(i, (JsonObject)p!))).ToList();
        var sortBy = Param(q, "sort_by") ?? "";
        var desc = sortBy.EndsWith(" desc", StringComparison.OrdinalIgnoreCase);
        var field = sortBy.Split(' ')[0] is { Length: > 0 } f ? f : "created_at";
        var ordered = (desc
            ? filtered.OrderByDescending(i => (string?)i[field], StringComparer.Ordinal)
            : filtered.OrderBy(i => (string?)i[field], StringComparer.Ordinal)).ThenBy(i => i.ToJsonString(), StringComparer.Ordinal).ToList();
        var offset = Param(q, "page_token") is { } token ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture) : 0;
        var page = ordered.Skip(offset).Take(pageSize).Select(i => i.DeepClone()).ToArray();
        var more = offset + page.Length < ordered.Count;
        return Ok(Clean(new JsonObject
        {
            [key] = page.Length == 0 ? null : new JsonArray(page),
            ["total_size"] = ordered.Count == 0 ? null : ordered.Count,
            ["next_page_token"] = more ? Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Length).ToString(CultureInfo.InvariantCulture))) : null,
        }));
    }

    private static JsonArray? Filter(FakeRequest q)
        => Param(q, "filter") is { } f ? (JsonNode.Parse(f)?["predicates"] as JsonArray ?? throw Grpc400("Invalid input error: filter has no predicates")) : null;

    private static bool Matches(JsonObject item, JsonObject predicate)
    {
        var key = (string)predicate["key"]!;
        var op = (string)predicate["operation"]!;
        var actual = (string?)item[key] ?? "";
        if (predicate["timestamp_value"] is { } ts)
        {
            var left = DateTimeOffset.Parse(actual, CultureInfo.InvariantCulture).ToUnixTimeSeconds();
            var right = DateTimeOffset.Parse((string)ts!, CultureInfo.InvariantCulture).ToUnixTimeSeconds();
            return Compare(left.CompareTo(right), op);
        }
        if (op == "IN")
        {
            return predicate["string_values"]!["values"]!.AsArray().Any(v => (string?)v == actual);
        }
        var expected = (string?)predicate["string_value"] ?? "";
        return op == "IS_SUBSTRING" ? actual.Contains(expected, StringComparison.Ordinal) : Compare(string.CompareOrdinal(actual, expected), op);
    }

    private static bool Compare(int c, string op) => op switch
    {
        "EQUALS" => c == 0,
        "NOT_EQUALS" => c != 0,
        "GREATER_THAN" => c > 0,
        "GREATER_THAN_EQUALS" => c >= 0,
        "LESS_THAN" => c < 0,
        "LESS_THAN_EQUALS" => c <= 0,
        _ => throw Grpc400($"Invalid input error: unsupported operation {op}"),
    };

    private static string? Namespace(FakeRequest q) => Param(q, "namespace");

    private static string? Param(FakeRequest q, string key) => string.Join(',', q.QueryAll(key)) is { Length: > 0 } s ? s : null;

    private static JsonObject Body(JsonNode? body) => body as JsonObject ?? throw Grpc400("Invalid input error: a JSON object body is required");

    private static string NextId() => Guid.NewGuid().ToString();

    private string Now() => Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Get(Dictionary<string, JsonObject> store, string id, string what)
        => store.TryGetValue(id, out var e) ? e : throw NotFound($"{what} {id} not found");

    private static JsonObject Clean(JsonObject o)
    {
        foreach (var key in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            o.Remove(key);
        }
        return o;
    }

    private static FakeError NotFound(string message) => Grpc(404, 5, message);

    private static FakeError Grpc400(string message) => Grpc(400, 3, message);

    private static FakeError Grpc(int status, int code, string message)
        => new(Json(status, new JsonObject
        {
            ["code"] = code,
            ["message"] = "wrapped: " + message,
            ["details"] = new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.Status", ["code"] = code, ["message"] = message }),
        }.ToJsonString()));

    /// <summary>200 with the body; null members are dropped first, as grpc-gateway omits unset fields.</summary>
    private static FakeResponse Ok(JsonObject body) => Json(200, DropNulls(body.DeepClone()).ToJsonString());

    private static JsonNode DropNulls(JsonNode node)
    {
        if (node is JsonObject o)
        {
            Clean(o);
            foreach (var (_, value) in o)
            {
                DropNulls(value!);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a)
            {
                if (item is not null)
                {
                    DropNulls(item);
                }
            }
        }
        return node;
    }

    /// <summary>A JSON body (FakeServer sends a held body with a Content-Length, which Prism's proxy needs: it copies the upstream headers).</summary>
    private static FakeResponse Json(int status, string body) => FakeResponse.JsonText(status, body);

    private sealed class FakeError(FakeResponse result) : Exception
    {
        public FakeResponse Result { get; } = result;
    }
}
