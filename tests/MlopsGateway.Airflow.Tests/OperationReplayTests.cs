using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlopsGateway.Airflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// Issue 15: every exchange recorded from a real Airflow 3.0 api-server goes through the public operation that
/// sends that request (API v2, JWT from the recorded <c>/auth/token</c>), against a server answering with the
/// recorded response: DAGs, runs and task instances come back with <c>Native</c> equal to the recorded JSON (null
/// properties left out, as docs/airflow.md says), logs as their event lines, errors as the right exception with the
/// recorded status, the FastAPI detail as the message — and a 409's SQL statement never in it. Exchanges of
/// endpoints no operation calls are listed with the reason.
/// </summary>
public sealed partial class OperationReplayTests
{
    private const string Smoke = "4ho3or+smoke:2026-12-06T04:38:55";
    private const string Fail = "4ho3or+fail:2026-12-06T04:38:55";
    private const string Long = "4ho3or+long:2026-12-06T04:38:55";

    private static readonly Lazy<IReadOnlyList<RecordedExchange>> s_recording = new(() => Recordings.Load("airflow-3.0.jsonl"));

    [SharedFact]
    public async Task Every_Airflow_3_0_exchange_is_received_by_its_operation_or_listed_with_a_reason()
    {
        var recording = s_recording.Value;
        recording.Should().HaveCount(100);

        var (problems, notReceivable, replayed) = await OperationReplay.RunAsync(recording, Backend, Case, Expected, NativeNormalization.NullPropertiesOmitted);

        problems.Should().BeEmpty();
        replayed.Should().Be(recording.Count - notReceivable.Count);
        notReceivable.Should().HaveCount(25, "the exchanges no gateway operation receives:\n{0}", string.Join("\n", notReceivable));
    }

    private static (IMlopsBackend, IAsyncDisposable) Backend(Uri server)
    {
        var provider = AirflowHost.Build(server, "v2", b =>
        {
            b.Auth.Type = "TokenExchange";
            b.Auth.Username = "admin";
            b.Auth.Password = "admin";
        }, RecordedAuthTests.RecordedAt);
        return (provider.Backend(), provider);
    }

    private static RecordedExchange Get(string id) => s_recording.Value.Single(e => e.Id == id);

    private static ReplayCase Case(RecordedExchange e)
    {
        var path = e.Path;
        if (path == "/auth/token")
        {
            // The token exchange is the first request of any operation that needs credentials with TokenExchange auth
            // (the health check asks the public version endpoint, so it never logs in): a listing receives it.
            return ReplayCase.Receives(b => OperationReplay.FirstPageAsync(b.Pipelines.ListAsync(), null));
        }
        if (path == "/api/v2/version")
        {
            return e.Method == "GET"
                ? ReplayCase.Receives(async b => (await b.CheckHealthAsync()).ServerVersion.Should().Be("3.0.0.dev202504110001"))
                : new ReplayCase
                {
                    Act = async b => { (await b.CheckHealthAsync()).Should().Match<BackendHealth>(h => !h.IsHealthy && h.Description.Contains("405")); return []; },
                    AnyMethod = true,
                    ErrorHandled = true,
                };
        }
        if (NotReceivable(e) is { } reason)
        {
            return ReplayCase.None(reason);
        }
        if (path == "/api/v2/dags")
        {
            return ReplayCase.Receives(async b =>
            {
                var limit = Query(e, "limit") is { } l ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
                var query = new PipelineQuery
                {
                    PageSize = limit,
                    NameContains = Query(e, "dag_id_pattern"),
                    Tags = e.Query.Where(q => q.Key == "tags").Select(q => q.Value).ToList(),
                    IsPaused = Query(e, "paused") is { } paused ? bool.Parse(paused) : null,
                };
                var page = await OperationReplay.FirstPageAsync(b.Pipelines.ListAsync(query), Query(e, "offset") is { } o and not "0" ? o : null);
                return OperationReplay.Pairs(page.Values.Select(p => p.Native), e.ResponseBody?["dags"]);
            });
        }
        if (DagPath().Match(path) is { Success: true } dag)
        {
            var id = dag.Groups[1].Value;
            return e.Method switch
            {
                "GET" => ReplayCase.Receives(async b => One((await b.Pipelines.GetAsync(id)).Native, e.ResponseBody)),
                "PATCH" when e.RequestBody?["is_paused"]?.GetValue<bool>() == false => ReplayCase.Receives(async b => One((await b.Pipelines.ResumeAsync(id)).Native, e.ResponseBody)),
                _ => ReplayCase.Receives(async b => One((await b.Pipelines.PauseAsync(id)).Native, e.ResponseBody), anyMethod: e.Method != "PATCH"),
            };
        }
        if (RunsPath().Match(path) is { Success: true } runs)
        {
            var dagId = runs.Groups[1].Value;
            if (e.Method == "POST")
            {
                var body = e.RequestBody as JsonObject;
                var options = new TriggerOptions
                {
                    RunId = body?["dag_run_id"]?.GetValue<string>(),
                    Parameters = body?["conf"]?.DeepClone() as JsonObject,
                    LogicalDate = body?["logical_date"]?.GetValue<string>() is { } date && date.EndsWith('Z') ? DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture) : null,
                };
                return e.Id == "trigger-duplicate"
                    // The run id exists: the gateway answers the retried trigger with that run (read back), not an error.
                    ? new ReplayCase { Act = async b => One((await b.Pipelines.TriggerAsync(dagId, options)).Native, Get("run-get-after-trigger").ResponseBody), ErrorHandled = true }
                    : ReplayCase.Receives(async b => One((await b.Pipelines.TriggerAsync(dagId, options)).Native, e.ResponseBody));
            }
            return ReplayCase.Receives(async b =>
            {
                var query = new RunQuery
                {
                    PipelineId = dagId == "~" ? null : dagId,
                    PageSize = Query(e, "limit") is { } l ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : null,
                    Statuses = e.Query.Where(q => q.Key == "state").Select(q => q.Value switch { "success" => RunStatus.Succeeded, "failed" => RunStatus.Failed, _ => RunStatus.Running }).ToList(),
                    OrderBy = Query(e, "order_by") is { } order ? [new RunOrdering(order.TrimStart('-') == "end_date" ? RunSortField.EndTime : RunSortField.StartTime, order.StartsWith('-'))] : [],
                };
                var page = await OperationReplay.FirstPageAsync(b.Runs.ListAsync(query), Query(e, "offset") is { } o and not "0" ? o : null);
                return OperationReplay.Pairs(page.Values.Select(r => r.Native), e.ResponseBody?["dag_runs"]);
            });
        }
        if (RunPath().Match(path) is { Success: true } run)
        {
            var id = RunId(run);
            return (e.Method, run.Groups[3].Value) switch
            {
                ("GET", "") => ReplayCase.Receives(async b => One((await b.Runs.GetAsync(id)).Native, e.ResponseBody)),
                ("PATCH", "") => ReplayCase.Receives(b => b.Runs.CancelAsync(id)),
                ("DELETE", "") => new ReplayCase { Act = async b => { await b.Runs.DeleteAsync(id); return []; }, ErrorHandled = true },
                ("POST", "/clear") => ReplayCase.Receives(async b => One((await b.Runs.RetryAsync(id)).Native, e.ResponseBody)),
                ("GET", "/taskInstances") => ReplayCase.Receives(async b =>
                    OperationReplay.Pairs((await b.Pipelines.ListTaskRunsAsync(id).ToListAsync()).Select(t => t.Native), e.ResponseBody?["task_instances"])),
                _ => TaskCase(e, id, run.Groups[3].Value),
            };
        }
        throw new InvalidOperationException($"No case for {e}: classify it (an operation, or a reason no operation calls it).");
    }

    /// <summary>Task-instance reads (the first request of a log read), tries and logs.</summary>
    private static ReplayCase TaskCase(RecordedExchange e, string runId, string rest)
    {
        var task = TaskPath().Match(rest);
        var taskId = Uri.UnescapeDataString(task.Groups[1].Value);
        var tail = task.Groups[2].Value;
        if (tail == "/tries")
        {
            return ReplayCase.Receives(async b =>
                OperationReplay.Pairs((await b.GetService<AirflowTaskTries>()!.ListAsync(runId, taskId)).Select(t => t.Native), e.ResponseBody?["task_instances"]));
        }
        if (tail == "" && e.Id == "fail-ti-get")
        {
            // The failed run's log of try 1 was recorded only as text/plain: the instance read is checked through the
            // refusal of an attempt it has not reached, which needs its try_number.
            return ReplayCase.Receives(b => b.Pipelines.Awaiting(p => p.ReadTaskLogAsync(runId, taskId, new TaskLogOptions { Attempt = 2 }).ToListAsync().AsTask())
                .Should().ThrowAsync<MlopsNotFoundException>().WithMessage("*latest attempt is 1*"));
        }
        if (tail == "")
        {
            return ReplayCase.Receives(async b => (await b.Pipelines.ReadTaskLogAsync(runId, taskId).ToListAsync()).Should().Equal(LogLines(Get("logs-default-accept"))));
        }
        var attempt = int.Parse(tail["/logs/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var expected = LogLines(e);
        return new ReplayCase
        {
            // A running task's log comes with a continuation token the recorded server answers again and again: read this chunk's lines only.
            Act = async b =>
            {
                var lines = await b.Pipelines.ReadTaskLogAsync(runId, taskId, new TaskLogOptions { Attempt = attempt }).Take(Math.Max(1, expected.Count)).ToListAsync();
                if (e.Status < 300)
                {
                    lines.Should().Equal(expected);
                }
                return [];
            },
            Context = TaskInstanceAt(e),
        };
    }

    /// <summary>
    /// The task instance a log read asks for first, where the recording holds none for that moment (the task-state
    /// probes of the running-log cases were sent but not recorded, README): the recorded instance of the same task
    /// with the run, state and try number the case's note gives.
    /// </summary>
    private static IReadOnlyList<RecordedExchange> TaskInstanceAt(RecordedExchange log)
    {
        (string Template, string Run, string? State, int Try)? at = log.Id switch
        {
            "logs-not-started-json" => ("ti-get", Long, null, 0),
            "logs-running-json" or "logs-running-json-continued" => ("ti-get", Long, "running", 1),
            "logs-finished-continued" => ("ti-get", Long, "success", 1),
            "fail-logs-try-2" => ("fail-ti-get", Fail, "failed", 2),
            _ => null,
        };
        if (at is not { } a)
        {
            return [];
        }
        var template = Get(a.Template);
        var body = template.ResponseBody!.DeepClone().AsObject();
        body["dag_run_id"] = a.Run;
        body["state"] = a.State;
        body["try_number"] = a.Try;
        return [template with { Id = template.Id + "-at-" + log.Id, Path = template.Path.Replace(Uri.EscapeDataString(Smoke), Uri.EscapeDataString(a.Run), StringComparison.Ordinal), ResponseBody = body }];
    }

    private static List<string> LogLines(RecordedExchange e)
        => e.ResponseBody is JsonObject { } body && body["content"] is JsonArray content
            ? TaskLogContent.Lines(TaskLogContent.ToText(System.Text.Json.JsonDocument.Parse(content.ToJsonString()).RootElement)).ToList()
            : [];

    /// <summary>Why no public operation receives this exchange; null when one does.</summary>
    private static string? NotReceivable(RecordedExchange e) => e switch
    {
        { Path: "/api/v2/monitor/health" } => "CheckHealthAsync asks the version endpoint; no operation reads monitor/health",
        { Path: var p } when p.EndsWith("/details", StringComparison.Ordinal) => "DAG details (params, timezone) have no gateway operation; Pipelines.GetAsync reads the DAG",
        { Path: var p } when p.Contains("/tasks", StringComparison.Ordinal) => "a DAG's task definitions have no gateway operation",
        { Path: var p } when p.Contains("/xcomEntries", StringComparison.Ordinal) => "XCom has no gateway operation",
        { Path: var p } when p.EndsWith("/clearTaskInstances", StringComparison.Ordinal) => "clearing chosen task instances has no gateway operation; Runs.RetryAsync clears the whole run",
        { Path: var p } when p.EndsWith("/dagRuns/list", StringComparison.Ordinal) => "the batch run listing has no gateway operation; Runs.ListAsync uses GET …/dagRuns",
        { Path: var p } when TryPath().IsMatch(p) => "reading one try has no gateway operation; AirflowTaskTries.ListAsync lists them all",
        { Id: "run-clear-dry-run" } => "Runs.RetryAsync always clears for real (dry_run false); the dry-run answer, a task-instance list, is never asked for",
        { ResponseHeaders: var h } when (h["content-type"]?.GetValue<string>() ?? "").Contains("ndjson", StringComparison.Ordinal)
            => "the gateway reads logs as JSON (Accept: application/json); Airflow sends NDJSON only to Accept: text/plain",
        { Id: "logs-accept-html" } => "the gateway always asks for JSON; the 406 answers other Accept values",
        { Id: "logs-try-missing" } => "ReadTaskLogAsync refuses an attempt above the task's try_number before asking (MlopsNotFoundException), so this 200 is never requested",
        { Id: "logs-unknown-task" or "logs-map-index" } => "ReadTaskLogAsync reads the task instance first, and Airflow's 404 for it (ti-get-unknown-task) is what the caller gets",
        _ => null,
    };

    /// <summary>The exception each recorded error must become (docs/airflow.md).</summary>
    private static ErrorExpectation Expected(RecordedExchange e)
    {
        var detail = (e.ResponseBody as JsonObject)?["detail"];
        var text = detail is JsonValue v ? v.GetValue<string>().Split('\n')[0] : null;
        string[] excluded = ["INSERT INTO", "<redacted>"];
        return (e.Id, e.Status) switch
        {
            ("auth-token-wrong-password" or "auth-token-form-encoded", _) => new(typeof(MlopsAuthenticationException), null, "Token exchange", excluded),
            (_, 401) => new(typeof(MlopsAuthenticationException), null, text, excluded),
            (_, 403) => new(typeof(MlopsAuthenticationException), null, text, excluded),
            (_, 404) => new(typeof(MlopsNotFoundException), null, text, excluded),
            (_, 409) => new(typeof(MlopsConflictException), "Unique constraint violation", detail!["orig_error"]!.GetValue<string>(), excluded),
            (_, 400) => new(typeof(MlopsValidationException), null, text, excluded),
            (_, 422) when detail is JsonArray items => new(typeof(MlopsValidationException), items[0]!["type"]!.GetValue<string>(), items[0]!["msg"]!.GetValue<string>(), excluded),
            (_, 422) => new(typeof(MlopsValidationException), null, text, excluded),
            (_, 405) => new(typeof(MlopsEndpointNotFoundException), null, text, excluded),
            _ => throw new InvalidOperationException($"{e}: no expectation for status {e.Status}"),
        };
    }

    private static string RunId(Match run) => AirflowMapping.RunId(Uri.UnescapeDataString(run.Groups[1].Value), Uri.UnescapeDataString(run.Groups[2].Value));

    private static IReadOnlyList<NativePair> One(System.Text.Json.JsonElement? native, JsonNode? recorded) => [new(native, recorded)];

    private static string? Query(RecordedExchange e, string key) => e.Query.Where(q => q.Key == key).Select(q => q.Value).FirstOrDefault();

    [GeneratedRegex(@"^/api/v2/dags/([^/]+)$")]
    private static partial Regex DagPath();

    [GeneratedRegex(@"^/api/v2/dags/([^/]+)/dagRuns$")]
    private static partial Regex RunsPath();

    [GeneratedRegex(@"^/api/v2/dags/([^/~]+)/dagRuns/([^/]+)(/.*)?$")]
    private static partial Regex RunPath();

    [GeneratedRegex(@"^/taskInstances/([^/]+)(.*)$")]
    private static partial Regex TaskPath();

    [GeneratedRegex(@"/tries/\d+$")]
    private static partial Regex TryPath();
}
