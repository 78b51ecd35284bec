using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests.Fake;

/// <summary>
/// A stateful metaflow-service 2.5.1 fake over raw <see cref="JsonNode"/> (never the adapter's DTOs), with
/// the real service's quirks: JSON served as <c>text/plain</c>, 200 on create, 404 <c>{}</c> for missing
/// objects but 200 <c>[]</c> for lists under missing parents, 409/404 bodies that are JSON strings holding
/// <c>err_msg</c>, problem-JSON 500s with a traceback, plain-text 500s from the task and metadata handlers,
/// ids as numbers or strings (step rows carry a numeric run as a string), heartbeats in seconds with the
/// 10-second rule, rows over 255 characters dropped with a 200, and no paging (unless <see cref="CursorPaging"/>).
/// </summary>
internal sealed class MetaflowFake : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly List<JsonObject> _flows = [];
    private readonly List<JsonObject> _runs = [];
    private readonly List<JsonObject> _steps = [];
    private readonly List<JsonObject> _tasks = [];
    private readonly List<JsonObject> _metadata = [];
    private readonly List<JsonObject> _artifacts = [];
    private readonly Queue<(string Method, string Path, int Status, string Body)> _faults = new();
    private long _runSeq;
    private long _taskSeq;
    private long _metadataSeq;

    private MetaflowFake(TimeProvider clock)
    {
        _clock = clock;
        Server = FakeServer.Start().Fallback(HandleAsync);
    }

    /// <summary>The WireMock-hosted server: its request log, and fault mappings or routes layered over the fake.</summary>
    public FakeServer Server { get; }

    public Uri BaseUri => Server.BaseUri;

    /// <summary>The version in the <c>METADATA_SERVICE_VERSION</c> header; null leaves the header out.</summary>
    public string? Version { get; set; } = "2.5.1";

    /// <summary>Serve <c>_limit</c>/<c>_cursor</c> on run and flow lists like metaflow-service master after 2.5.1.</summary>
    public bool CursorPaging { get; set; }

    /// <summary>Serves this many synthetic runs of <see cref="BulkFlow"/> from a generator, without holding them.</summary>
    public int BulkRuns { get; set; }

    public const string BulkFlow = "BulkFlow";

    /// <summary>The request id every injected fault answers with (header <c>x-request-id</c>).</summary>
    public const string FaultRequestId = "mf-req-7";

    /// <summary>While set, heartbeat answers wait for it (or for the server to stop), so a test can hold a beat in flight.</summary>
    public TaskCompletionSource? HeartbeatGate { get; set; }

    /// <summary>The next request with this method and path is answered with <paramref name="status"/> and <paramref name="body"/> instead of the fake's logic.</summary>
    public void FailNext(string method, string path, int status, string body = "500 Internal Server Error\n\nServer got itself in trouble")
    {
        lock (_gate)
        {
            _faults.Enqueue((method, path, status, body));
        }
    }

    public static Task<MetaflowFake> StartAsync(TimeProvider clock) => Task.FromResult(new MetaflowFake(clock));

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private long NowS => _clock.GetUtcNow().ToUnixTimeSeconds();

    // ---- routing ------------------------------------------------------------------------------------

    /// <summary>Answers one request as the fake does; a route layered over it (fault injection) calls it to act on a request.</summary>
    /// <param name="request">The request.</param>
    public async Task<FakeResponse> HandleAsync(FakeRequest request)
    {
        var method = request.Method;
        var parts = request.Path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var body = request.Body;
        (string Method, string Path, int Status, string Body)? fault = null;
        lock (_gate)
        {
            if (_faults.TryPeek(out var next) && next.Method == method && next.Path == request.Path)
            {
                fault = _faults.Dequeue();
            }
        }
        if (fault is { } f)
        {
            return FakeResponse.Text(f.Status, f.Body).WithHeader("x-request-id", FaultRequestId);
        }
        if (parts[^1] == "heartbeat" && HeartbeatGate is { } gate)
        {
            await gate.Task.WaitAsync(Server.Stopping);
        }
        if (parts is ["flows", BulkFlow, "runs"] && method == "GET" && BulkRuns > 0)
        {
            return StreamBulkRuns();
        }
        Reply reply;
        lock (_gate)
        {
            reply = Route(request, method, parts, body);
        }
        var response = FakeResponse.Text(reply.Status, reply.Body, reply.ContentType);
        if (reply.VersionHeader && Version is not null)
        {
            response = response.WithHeader("METADATA_SERVICE_VERSION", Version);
        }
        foreach (var (k, v) in reply.Headers)
        {
            response = response.WithHeader(k, v);
        }
        return response;
    }

    private sealed record Reply(int Status, string Body, string ContentType = "text/plain; charset=utf-8", bool VersionHeader = true)
    {
        public Dictionary<string, string> Headers { get; } = [];
    }

    private static Reply Json(int status, JsonNode? node, bool versionHeader = true) => new(status, node?.ToJsonString() ?? "null", VersionHeader: versionHeader);

    private static Reply JsonString(int status, string inner) => new(status, JsonSerializer.Serialize(inner));

    private static Reply NotFoundObject() => Json(404, new JsonObject());

    private static Reply PlainText(int status, string text) => new(status, text, VersionHeader: false);

    private static Reply ServerError500() => PlainText(500, "500 Internal Server Error\n\nServer got itself in trouble");

    private static Reply Problem(string detail) => Json(500, new JsonObject
    {
        ["traceback"] = "Traceback (most recent call last):\n  File \"services/metadata_service/api/run.py\"\n",
        ["detail"] = detail,
        ["status"] = 500,
        ["title"] = "Internal Server Error",
        ["type"] = "about:blank",
    });

    private static Reply PgError(int status, string code, string message, string detail) => JsonString(status, new JsonObject
    {
        ["err_msg"] = new JsonObject
        {
            ["pgerror"] = $"ERROR:  {message}\nDETAIL:  {detail}\n",
            ["pgcode"] = code,
            ["diag"] = new JsonObject { ["message_primary"] = message, ["severity"] = "ERROR" },
        },
    }.ToJsonString());

    private static Reply Heartbeat(int status) => JsonString(status, "{\"wait_time_in_seconds\": 10}");

    private Reply Route(FakeRequest ctx, string method, string[] p, string body)
    {
        switch (p)
        {
            case ["ping"] when method == "GET": return new Reply(200, "pong");
            case ["version"] when method == "GET": return new Reply(200, Version ?? "2.5.1", VersionHeader: false);
            case ["healthcheck"] when method == "GET": return new Reply(200, JsonSerializer.Serialize("{\"status\": \"UP\"}"), "application/json");
            case ["auth", "token"] when method == "GET":
                return Json(500, new JsonObject { ["err_msg"] = "Parameter validation failed: RoleArn is None", ["traceback"] = "Traceback (most recent call last):\n" }, false);
            case ["flows"] when method == "GET": return Paged(ctx, _flows.Select(f => (JsonNode)f.DeepClone()).ToList());
            case ["flows", var f] when method == "GET": return Find(_flows, f) is { } flow ? Json(200, flow.DeepClone()) : NotFoundObject();
            case ["flows", var f] when method == "POST": return CreateFlow(f, body);
            case ["flows", var f, "runs"] when method == "GET":
                return Paged(ctx, _runs.Where(r => (string)r["flow_id"]! == f).Select(RunView).ToList());
            case ["flows", var f, "run"] when method == "POST": return CreateRun(f, body);
            case ["flows", var f, "runs", var r] when method == "GET": return FindRun(f, r) is { } run ? Json(200, RunView(run)) : NotFoundObject();
            case ["flows", var f, "runs", var r, "tag", "mutate"] when method == "PATCH": return MutateTags(f, r, body);
            case ["flows", var f, "runs", var r, "heartbeat"] when method == "POST": return BeatRun(FindRun(f, r));
            case ["flows", var f, "runs", var r, "steps"] when method == "GET":
                return Json(200, new JsonArray([.. StepsOf(f, r).Select(StepView)]));
            case ["flows", var f, "runs", var r, "steps", var s] when method == "GET":
                return StepsOf(f, r).FirstOrDefault(x => (string)x["step_name"]! == s) is { } step ? Json(200, StepView(step)) : NotFoundObject();
            case ["flows", var f, "runs", var r, "steps", var s, "step"] when method == "POST": return CreateStep(f, r, s, body);
            case ["flows", var f, "runs", var r, "steps", var s, "tasks"] when method == "GET":
                return Json(200, new JsonArray([.. TasksOf(f, r, s).Select(TaskView)]));
            case ["flows", var f, "runs", var r, "steps", var s, "task"] when method == "POST": return CreateTask(f, r, s, body);
            case ["flows", var f, "runs", var r, "steps", var s, "filtered_tasks"] when method == "GET": return FilteredTasks(ctx, f, r, s);
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t] when method == "GET":
                return FindTask(f, r, s, t) is { } task ? Json(200, TaskView(task)) : NotFoundObject();
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "heartbeat"] when method == "POST":
                return BeatTask(FindTask(f, r, s, t));
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "metadata"] when method == "GET":
                return Json(200, new JsonArray([.. MetadataOf(FindTask(f, r, s, t)).Select(m => m.DeepClone())]), versionHeader: true);
            case ["flows", var f, "runs", var r, "metadata"] when method == "GET":
                return Json(200, new JsonArray([.. MetadataOfRun(FindRun(f, r)).Select(m => m.DeepClone())]));
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "metadata"] when method == "POST":
                return PostMetadata(FindTask(f, r, s, t), body);
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "artifacts"] when method == "GET":
                return Json(200, ArtifactList(LatestAttemptArtifacts(FindTask(f, r, s, t))), versionHeader: false);
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "attempt", var a, "artifacts"] when method == "GET":
                return Json(200, ArtifactList(ArtifactsOf(FindTask(f, r, s, t)).Where(x => x["attempt_id"]!.ToString() == a)), versionHeader: false);
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "artifacts", var n] when method == "GET":
                return LatestAttemptArtifacts(FindTask(f, r, s, t)).FirstOrDefault(x => (string)x["name"]! == n) is { } art ? Json(200, ArtifactView(art)) : NotFoundObject();
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "artifacts", var n, "attempt", var a] when method == "GET":
                return ArtifactsOf(FindTask(f, r, s, t)).FirstOrDefault(x => (string)x["name"]! == n && x["attempt_id"]!.ToString() == a) is { } one ? Json(200, ArtifactView(one)) : NotFoundObject();
            case ["flows", var f, "runs", var r, "steps", var s, "artifacts"] when method == "GET":
                return Json(200, ArtifactList(TasksOf(f, r, s).SelectMany(LatestAttemptArtifacts)), versionHeader: false);
            case ["flows", var f, "runs", var r, "artifacts"] when method == "GET":
                return Json(200, ArtifactList(FindRun(f, r) is { } rr ? _tasks.Where(t => SameRun(t, rr)).SelectMany(LatestAttemptArtifacts) : []), versionHeader: false);
            case ["flows", var f, "runs", var r, "steps", var s, "tasks", var t, "artifact"] when method == "POST":
                return PostArtifacts(FindTask(f, r, s, t), body);
        }
        return KnownRoute(p) ? new Reply(405, "405: Method Not Allowed", VersionHeader: false) { Headers = { ["Allow"] = "GET" } } : PlainText(404, "404: Not Found");
    }

    private static bool KnownRoute(string[] p) => p.Length >= 1 && p[0] == "flows";

    // ---- flows and runs ----------------------------------------------------------------------------

    private static JsonObject? Find(List<JsonObject> rows, string flow) => rows.FirstOrDefault(r => (string)r["flow_id"]! == flow);

    private static bool TryParse(string body, out JsonNode? node, out Reply? error)
    {
        try
        {
            node = JsonNode.Parse(body);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            node = null;
            error = Problem(body.Length == 0 ? "Expecting value: line 1 column 1 (char 0)" : ex.Message);
            return false;
        }
    }

    private Reply CreateFlow(string flow, string body)
    {
        if (!TryParse(body, out var node, out var error))
        {
            return error!;
        }
        if (Find(_flows, flow) is not null)
        {
            return PgError(409, "23505", "duplicate key value violates unique constraint \"flows_v3_pkey\"", $"Key (flow_id)=({flow}) already exists.");
        }
        var row = new JsonObject
        {
            ["flow_id"] = flow,
            ["user_name"] = node?["user_name"]?.DeepClone(),
            ["ts_epoch"] = NowMs,
            ["tags"] = node?["tags"]?.DeepClone(),
            ["system_tags"] = node?["system_tags"]?.DeepClone(),
        };
        _flows.Add(row);
        return Json(200, row.DeepClone());
    }

    private Reply CreateRun(string flow, string body)
    {
        if (!TryParse(body, out var node, out var error))
        {
            return error!;
        }
        var runId = node?["run_number"]?.GetValue<string>();
        if (runId is not null && runId.All(char.IsAsciiDigit))
        {
            return Problem("provided run_id may not be a numeric");
        }
        if (runId is not null && _runs.Any(r => (string)r["flow_id"]! == flow && (string?)r["run_id"] == runId))
        {
            _runSeq++; // failed inserts burn sequence values
            return PgError(409, "23505", "duplicate key value violates unique constraint \"runs_v3_flow_id_run_id_key\"", $"Key (flow_id, run_id)=({flow}, {runId}) already exists.");
        }
        _runSeq++;
        if (Find(_flows, flow) is null)
        {
            return PgError(404, "23503", "insert or update on table \"runs_v3\" violates foreign key constraint \"runs_v3_flow_id_fkey\"", $"Key (flow_id)=({flow}) is not present in table \"flows_v3\".");
        }
        var systemTags = node?["system_tags"];
        var row = new JsonObject
        {
            ["flow_id"] = flow,
            ["run_number_int"] = _runSeq,
            ["run_id"] = runId,
            ["user_name"] = node?["user_name"]?.DeepClone(),
            ["ts_epoch"] = NowMs,
            ["tags"] = node?["tags"]?.DeepClone(),
            ["system_tags"] = systemTags?.DeepClone(),
            ["last_heartbeat_ts"] = FillsHeartbeat(systemTags) ? NowS : null,
        };
        _runs.Add(row);
        return Json(200, RunView(row));
    }

    /// <summary>2.5.1 fills the heartbeat on create for metaflow_version ≥ 2.2.12, an unparsable version, or absent/null system tags.</summary>
    private static bool FillsHeartbeat(JsonNode? systemTags)
    {
        if (systemTags is not JsonArray tags)
        {
            return true;
        }
        var version = tags.Select(t => t?.ToString() ?? "").FirstOrDefault(t => t.StartsWith("metaflow_version:", StringComparison.Ordinal));
        if (version is null)
        {
            return false;
        }
        return !System.Version.TryParse(version["metaflow_version:".Length..], out var v) || v >= new Version(2, 2, 12);
    }

    private JsonObject? FindRun(string flow, string run) => _runs.FirstOrDefault(r =>
        (string)r["flow_id"]! == flow && (run.All(char.IsAsciiDigit) && run.Length > 0 ? r["run_number_int"]!.ToString() == run : (string?)r["run_id"] == run));

    private static JsonNode RunNumber(JsonObject run) => (string?)run["run_id"] is { } id ? JsonValue.Create(id) : JsonValue.Create((long)run["run_number_int"]!);

    private static string RunText(JsonObject run) => (string?)run["run_id"] ?? run["run_number_int"]!.ToString();

    private static JsonNode RunView(JsonObject run) => new JsonObject
    {
        ["flow_id"] = run["flow_id"]!.DeepClone(),
        ["run_number"] = RunNumber(run),
        ["user_name"] = run["user_name"]?.DeepClone(),
        ["ts_epoch"] = run["ts_epoch"]!.DeepClone(),
        ["tags"] = run["tags"]?.DeepClone(),
        ["system_tags"] = run["system_tags"]?.DeepClone(),
        ["last_heartbeat_ts"] = run["last_heartbeat_ts"]?.DeepClone(),
    };

    private Reply MutateTags(string flow, string run, string body)
    {
        if (!TryParse(body, out var node, out var error))
        {
            return error!;
        }
        var row = FindRun(flow, run);
        if (row is null)
        {
            return NotFoundObject();
        }
        var lists = new Dictionary<string, List<string>>();
        foreach (var key in new[] { "tags_to_add", "tags_to_remove" })
        {
            var value = node?[key];
            if (value is null)
            {
                lists[key] = [];
                continue;
            }
            if (value is not JsonArray array)
            {
                return JsonString(400, $"{key} must be a list");
            }
            if (array.Any(t => t is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            {
                return JsonString(400, "All tag values must be strings");
            }
            lists[key] = array.Select(t => t!.GetValue<string>()).ToList();
        }
        var system = (row["system_tags"] as JsonArray)?.Select(t => t!.ToString()).ToHashSet() ?? [];
        var clash = lists["tags_to_remove"].Where(system.Contains).ToList();
        if (clash.Count > 0)
        {
            return JsonString(422, $"Cannot remove tags that are existing system tags {{{string.Join(", ", clash.Select(c => $"'{c}'"))}}}");
        }
        var tags = (row["tags"] as JsonArray)?.Select(t => t!.ToString()).ToList() ?? [];
        tags.RemoveAll(lists["tags_to_remove"].Contains);
        foreach (var add in lists["tags_to_add"].Where(a => !system.Contains(a) && !tags.Contains(a)))
        {
            tags.Add(add);
        }
        row["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)JsonValue.Create(t))]);
        return Json(200, new JsonObject { ["tags"] = row["tags"]!.DeepClone() });
    }

    private Reply BeatRun(JsonObject? run) => Beat(run);

    private Reply BeatTask(JsonObject? task)
    {
        var reply = Beat(task);
        if (task is not null && reply.Status == 200 && _runs.FirstOrDefault(r => SameRun(task, r)) is { } run)
        {
            run["last_heartbeat_ts"] = NowS;
        }
        return reply;
    }

    private Reply Beat(JsonObject? row)
    {
        if (row is null || (row["last_heartbeat_ts"] is { } last && (long)last > NowS - 10))
        {
            return Heartbeat(404);
        }
        row["last_heartbeat_ts"] = NowS;
        return Heartbeat(200);
    }

    // ---- steps and tasks ---------------------------------------------------------------------------

    private static bool SameRun(JsonObject child, JsonObject run)
        => (string)child["flow_id"]! == (string)run["flow_id"]! && (long)child["run_number_int"]! == (long)run["run_number_int"]!;

    private IEnumerable<JsonObject> StepsOf(string flow, string run)
        => FindRun(flow, run) is { } r ? _steps.Where(s => SameRun(s, r)) : [];

    private IEnumerable<JsonObject> TasksOf(string flow, string run, string step)
        => FindRun(flow, run) is { } r ? _tasks.Where(t => SameRun(t, r) && (string)t["step_name"]! == step) : [];

    private JsonObject? FindTask(string flow, string run, string step, string task)
        => TasksOf(flow, run, step).FirstOrDefault(t => task.All(char.IsAsciiDigit) ? t["task_id_int"]!.ToString() == task : (string?)t["task_name"] == task);

    private JsonObject RunOf(JsonObject child) => _runs.First(r => SameRun(child, r));

    /// <summary>Steps store run_id = str(run_number) for numeric runs: their run_number is always a string.</summary>
    private JsonNode StepView(JsonObject step)
    {
        var run = RunOf(step);
        return new JsonObject
        {
            ["flow_id"] = step["flow_id"]!.DeepClone(),
            ["run_number"] = RunText(run),
            ["step_name"] = step["step_name"]!.DeepClone(),
            ["user_name"] = step["user_name"]?.DeepClone(),
            ["ts_epoch"] = step["ts_epoch"]!.DeepClone(),
            ["tags"] = run["tags"]?.DeepClone(),
            ["system_tags"] = run["system_tags"]?.DeepClone(),
        };
    }

    private JsonNode TaskView(JsonObject task)
    {
        var run = RunOf(task);
        return new JsonObject
        {
            ["flow_id"] = task["flow_id"]!.DeepClone(),
            ["run_number"] = RunNumber(run),
            ["step_name"] = task["step_name"]!.DeepClone(),
            ["task_id"] = TaskNumber(task),
            ["user_name"] = task["user_name"]?.DeepClone(),
            ["ts_epoch"] = task["ts_epoch"]!.DeepClone(),
            ["tags"] = run["tags"]?.DeepClone(),
            ["system_tags"] = run["system_tags"]?.DeepClone(),
            ["last_heartbeat_ts"] = task["last_heartbeat_ts"]?.DeepClone(),
        };
    }

    private static JsonNode TaskNumber(JsonObject task) => (string?)task["task_name"] is { } name ? JsonValue.Create(name) : JsonValue.Create((long)task["task_id_int"]!);

    private static string TaskText(JsonObject task) => (string?)task["task_name"] ?? task["task_id_int"]!.ToString();

    private Reply CreateStep(string flow, string run, string step, string body)
    {
        if (!TryParse(body, out var node, out var error))
        {
            return error!;
        }
        var r = FindRun(flow, run);
        if (r is null)
        {
            return Problem("'run_number'");
        }
        if (StepsOf(flow, run).Any(s => (string)s["step_name"]! == step))
        {
            return PgError(409, "23505", "duplicate key value violates unique constraint \"steps_v3_pkey\"", $"Key (flow_id, run_number, step_name)=({flow}, {r["run_number_int"]}, {step}) already exists.");
        }
        var row = new JsonObject
        {
            ["flow_id"] = flow,
            ["run_number_int"] = (long)r["run_number_int"]!,
            ["step_name"] = step,
            ["user_name"] = node?["user_name"]?.DeepClone() ?? "",
            ["ts_epoch"] = NowMs,
        };
        _steps.Add(row);
        return Json(200, StepView(row));
    }

    private Reply CreateTask(string flow, string run, string step, string body)
    {
        if (!TryParse(body, out var node, out var error))
        {
            return error!;
        }
        var name = node?["task_id"]?.ToString();
        if (name is not null && name.All(char.IsAsciiDigit))
        {
            return ServerError500();
        }
        var r = FindRun(flow, run);
        if (name is not null && TasksOf(flow, run, step).Any(t => (string?)t["task_name"] == name))
        {
            _taskSeq++;
            return PgError(409, "23505", "duplicate key value violates unique constraint \"tasks_v3_flow_id_run_number_step_name_task_name_key\"", $"Key (task_name)=({name}) already exists.");
        }
        _taskSeq++;
        if (r is null || !StepsOf(flow, run).Any(s => (string)s["step_name"]! == step))
        {
            return PgError(404, "23503", "insert or update on table \"tasks_v3\" violates foreign key constraint \"tasks_v3_flow_id_run_number_step_name_fkey\"", $"Key (flow_id, run_number, step_name)=({flow}, {run}, {step}) is not present in table \"steps_v3\".");
        }
        var beats = FillsHeartbeat(node?["system_tags"]);
        var row = new JsonObject
        {
            ["flow_id"] = flow,
            ["run_number_int"] = (long)r["run_number_int"]!,
            ["step_name"] = step,
            ["task_id_int"] = _taskSeq,
            ["task_name"] = name,
            ["user_name"] = node?["user_name"]?.DeepClone(),
            ["ts_epoch"] = NowMs,
            ["last_heartbeat_ts"] = beats ? NowS : null,
        };
        if (beats)
        {
            r["last_heartbeat_ts"] = NowS;
        }
        _tasks.Add(row);
        return Json(200, TaskView(row));
    }

    private Reply FilteredTasks(FakeRequest ctx, string flow, string run, string step)
    {
        var field = string.Join(',', ctx.QueryAll("metadata_field_name"));
        var pattern = string.Join(',', ctx.QueryAll("pattern"));
        Regex regex;
        try
        {
            regex = new Regex(pattern);
        }
        catch (ArgumentException)
        {
            return Problem("not enough values to unpack (expected 2, got 1)");
        }
        var result = new JsonArray();
        foreach (var task in TasksOf(flow, run, step))
        {
            var rows = MetadataOf(task).Where(m => field.Length == 0 || (string)m["field_name"]! == field);
            if (rows.Any(m => regex.IsMatch((string?)m["value"] ?? "")))
            {
                result.Add($"{flow}/{RunText(RunOf(task))}/{step}/{TaskText(task)}");
            }
        }
        return Json(200, result);
    }

    // ---- metadata and artifacts --------------------------------------------------------------------

    private IEnumerable<JsonObject> MetadataOf(JsonObject? task)
        => task is null ? [] : _metadata.Where(m => (long)m["_task"]! == (long)task["task_id_int"]!).Select(Public);

    private IEnumerable<JsonObject> MetadataOfRun(JsonObject? run)
        => run is null ? [] : _metadata.Where(m => (string)m["flow_id"]! == (string)run["flow_id"]! && (long)m["_run"]! == (long)run["run_number_int"]!)
            .OrderBy(m => (string)m["step_name"]!).ThenBy(m => (string)m["field_name"]!).Select(Public);

    private static JsonObject Public(JsonObject row)
    {
        var copy = (JsonObject)row.DeepClone();
        copy.Remove("_task");
        copy.Remove("_run");
        return copy;
    }

    private Reply PostMetadata(JsonObject? task, string body) => PostRows(task, body, "metadata_created", (item, owner, run) =>
    {
        var field = item?["field_name"]?.ToString() ?? " ";
        var type = item?["type"]?.ToString() ?? " ";
        if (field.Length > 255 || type.Length > 255)
        {
            return false; // the insert fails and is skipped silently
        }
        _metadata.Add(new JsonObject
        {
            ["id"] = ++_metadataSeq,
            ["flow_id"] = owner["flow_id"]!.DeepClone(),
            ["run_number"] = RunNumber(run),
            ["step_name"] = owner["step_name"]!.DeepClone(),
            ["task_id"] = TaskNumber(owner),
            ["field_name"] = field,
            ["value"] = item?["value"]?.ToString() ?? " ",
            ["type"] = type,
            ["user_name"] = item?["user_name"]?.DeepClone(),
            ["ts_epoch"] = NowMs,
            ["tags"] = item?["tags"]?.DeepClone(),
            ["system_tags"] = item?["system_tags"]?.DeepClone(),
            ["_task"] = (long)owner["task_id_int"]!,
            ["_run"] = (long)run["run_number_int"]!,
        });
        return true;
    });

    /// <summary>
    /// Metadata and artifact POSTs: an unparsable body is the plain-text 500, an unknown task the 400 message;
    /// rows are inserted one by one and a failing row is skipped silently, only the count shows it.
    /// </summary>
    private Reply PostRows(JsonObject? task, string body, string countField, Func<JsonNode?, JsonObject, JsonObject, bool> insert)
    {
        JsonNode? rows;
        try
        {
            rows = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return ServerError500();
        }
        if (task is null)
        {
            return Json(400, new JsonObject { ["message"] = "need to register run_id and task_id first" }, false);
        }
        var run = RunOf(task);
        var created = (rows as JsonArray ?? []).Count(item => insert(item, task, run));
        return Json(200, new JsonObject { [countField] = created }, false);
    }

    private IEnumerable<JsonObject> ArtifactsOf(JsonObject? task)
        => task is null ? [] : _artifacts.Where(a => (long)a["_task"]! == (long)task["task_id_int"]!);

    /// <summary>The latest attempt is the attempt of the newest artifact.</summary>
    private IEnumerable<JsonObject> LatestAttemptArtifacts(JsonObject? task)
    {
        var all = ArtifactsOf(task).ToList();
        if (all.Count == 0)
        {
            return [];
        }
        var latest = all.MaxBy(a => ((long)a["ts_epoch"]!, (int)a["attempt_id"]!))!["attempt_id"]!.ToString();
        return all.Where(a => a["attempt_id"]!.ToString() == latest);
    }

    private JsonArray ArtifactList(IEnumerable<JsonObject> rows) => new([.. rows.Select(ArtifactView)]);

    private JsonNode ArtifactView(JsonObject artifact)
    {
        var task = _tasks.First(t => (long)t["task_id_int"]! == (long)artifact["_task"]!);
        var run = RunOf(task);
        var view = Public(artifact);
        view["tags"] = run["tags"]?.DeepClone();
        view["system_tags"] = run["system_tags"]?.DeepClone();
        return view;
    }

    private Reply PostArtifacts(JsonObject? task, string body) => PostRows(task, body, "artifacts_created", (item, owner, run) =>
    {
        string S(string key) => item?[key]?.ToString() ?? " ";
        var attempt = item?["attempt_id"]?.GetValue<int>() ?? 0;
        var name = S("name");
        if (new[] { name, S("location"), S("ds_type"), S("sha"), S("type"), S("content_type") }.Any(v => v.Length > 255)
            || ArtifactsOf(owner).Any(a => (string)a["name"]! == name && (int)a["attempt_id"]! == attempt))
        {
            return false;
        }
        _artifacts.Add(new JsonObject
        {
            ["flow_id"] = owner["flow_id"]!.DeepClone(),
            ["run_number"] = RunNumber(run),
            ["step_name"] = owner["step_name"]!.DeepClone(),
            ["task_id"] = TaskNumber(owner),
            ["name"] = name,
            ["location"] = S("location"),
            ["ds_type"] = S("ds_type"),
            ["sha"] = S("sha"),
            ["type"] = S("type"),
            ["content_type"] = S("content_type"),
            ["user_name"] = item?["user_name"]?.DeepClone(),
            ["attempt_id"] = attempt,
            ["ts_epoch"] = NowMs,
            ["_task"] = (long)owner["task_id_int"]!,
        });
        return true;
    });

    // ---- paging and bulk ---------------------------------------------------------------------------

    private Reply Paged(FakeRequest ctx, List<JsonNode> rows)
    {
        if (!CursorPaging || (ctx.Query("_limit") is null && ctx.Query("_cursor") is null))
        {
            return Json(200, new JsonArray([.. rows]));
        }
        var limit = int.TryParse(string.Join(',', ctx.QueryAll("_limit")), out var l) ? Math.Clamp(l, 1, 500) : 50;
        var offset = 0;
        if (string.Join(',', ctx.QueryAll("_cursor")) is { Length: > 0 } cursor)
        {
            try
            {
                offset = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(cursor)), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                return JsonString(400, "Invalid cursor");
            }
        }
        var page = rows.Skip(offset).Take(limit).ToList();
        var reply = Json(200, new JsonArray([.. page]), versionHeader: false);
        reply.Headers["X-Limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (offset + limit < rows.Count)
        {
            reply.Headers["X-Next-Cursor"] = Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + limit).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return reply;
    }

    /// <summary>Writes <see cref="BulkRuns"/> runs as one unpaged array, generated on the fly (tens of MB without holding them).</summary>
    private FakeResponse StreamBulkRuns() => new()
    {
        Headers = [new("Content-Type", "text/plain; charset=utf-8")],
        Streamed = (body, _) =>
        {
            WriteBulkRuns(body.Write);
            return Task.CompletedTask;
        },
    };

    private void WriteBulkRuns(Action<string> write)
    {
        var ts = NowMs;
        write("[");
        var sb = new StringBuilder();
        for (var i = 1; i <= BulkRuns; i++)
        {
            sb.Append(i == 1 ? "" : ", ")
              .Append("{\"flow_id\": \"").Append(BulkFlow).Append("\", \"run_number\": ").Append(i)
              .Append(", \"user_name\": \"bulk\", \"ts_epoch\": ").Append(ts - i)
              .Append(", \"tags\": [\"team:ml\", \"batch-").Append(i % 7).Append("\"], \"system_tags\": [\"user:bulk\", \"runtime:dev\", \"python_version:3.11.2\", \"metaflow_version:2.19.38\"], \"last_heartbeat_ts\": ")
              .Append(ts / 1000).Append('}');
            if (sb.Length > 32_000)
            {
                write(sb.ToString());
                sb.Clear();
            }
        }
        sb.Append(']');
        write(sb.ToString());
    }

    // ---- seeding for tests -------------------------------------------------------------------------

    /// <summary>Forgets every object (sequences included).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _flows.Clear();
            _runs.Clear();
            _steps.Clear();
            _tasks.Clear();
            _metadata.Clear();
            _artifacts.Clear();
            _runSeq = _taskSeq = _metadataSeq = 0;
        }
    }

    /// <summary>Moves the sequences so the next server-assigned run and task numbers are the given ones (null keeps one).</summary>
    public void SeedSequences(long? nextRun, long? nextTask)
    {
        lock (_gate)
        {
            _runSeq = nextRun - 1 ?? _runSeq;
            _taskSeq = nextTask - 1 ?? _taskSeq;
        }
    }
}
