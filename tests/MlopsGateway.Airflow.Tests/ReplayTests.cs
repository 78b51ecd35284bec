using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlopsGateway.Airflow.Api;
using FluentAssertions.Execution;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// Every response recorded from a real Airflow 2.10.3 goes through the adapter's parsing (2xx: the v1
/// DTOs, asserting no field lands in <c>Extra</c>, then the shared mapping, whose <c>Native</c> must equal
/// the recorded object but for the documented omission of null properties) or through the core's error
/// mapping with <see cref="AirflowErrorParser"/>, through the public operation that sends that request (non-2xx: the
/// exception type per status).
/// </summary>
public sealed class ReplayTests
{
    private static readonly AirflowJsonContext Json = AirflowJsonContext.Default;

    // Endpoints recorded for context that the adapter never calls (their bodies have no DTO here).
    private static readonly Regex[] NotAdapterEndpoints =
    [
        new(@"/health$"), new(@"/details$"), new(@"/xcomEntries"), new(@"/importErrors$"), new(@"/pools$"), new(@"/eventLogs$"),
        new(@"/setNote$"), new(@"/clearTaskInstances$"), new(@"/dagRuns/list$"), new(@"/taskInstances/[^/]+$"),
    ];

    [SharedFact]
    public void Every_recorded_success_parses_without_losing_a_field_and_maps()
    {
        var exchanges = Recordings.Load("airflow-2.10.3.jsonl");
        exchanges.Should().HaveCount(83);
        var parsed = 0;
        foreach (var e in exchanges.Where(e => e.Status < 300 && e.Status != 204))
        {
            var path = e.Path;
            if (NotAdapterEndpoints.Any(r => r.IsMatch(path)))
            {
                continue;
            }
            var body = e.ResponseText;
            using (new AssertionScope(e.ToString()))
            {
                switch (Classify(e))
                {
                    case "version":
                        var v = JsonSerializer.Deserialize(body, Json.VersionDto)!;
                        v.Version.Should().Be("2.10.3");
                        v.Extra.Should().BeNull();
                        break;
                    case "dags":
                        var dags = JsonSerializer.Deserialize(body, Json.DagPageDagV1Dto)!;
                        dags.Extra.Should().BeNull();
                        dags.Dags.Should().NotBeEmpty().And.OnlyContain(d => d.Extra == null && d.Tags!.All(t => t.Extra == null));
                        dags.Dags.Select(d => AirflowMapping.ToPipeline(d, "replay")).Should().OnlyContain(p => p.Schedule == "Never, external triggers only" && p.Tags.ContainsKey("example"));
                        AssertNatives(dags.Dags.Select(d => AirflowMapping.ToPipeline(d, "replay").Native), e.ResponseBody!["dags"]);
                        break;
                    case "dag":
                        var dag = JsonSerializer.Deserialize(body, Json.DagV1Dto)!;
                        dag.Extra.Should().BeNull();
                        var pipeline = AirflowMapping.ToPipeline(dag, "replay");
                        pipeline.Id.Should().Be(dag.DagId);
                        pipeline.Owners.Should().Equal("airflow");
                        pipeline.IsPaused.Should().Be(dag.IsPaused);
                        pipeline.Native!.Value.GetProperty("is_active").GetBoolean().Should().BeTrue();
                        AssertNatives([pipeline.Native], new JsonArray(e.ResponseBody!.DeepClone()));
                        break;
                    case "run":
                        var run = JsonSerializer.Deserialize(body, Json.DagRunV1Dto)!;
                        run.Extra.Should().BeNull();
                        AssertRun(run);
                        AssertNatives([AirflowMapping.ToRun(run, "replay").Native], new JsonArray(e.ResponseBody!.DeepClone()));
                        break;
                    case "runs":
                        var runs = JsonSerializer.Deserialize(body, Json.DagRunPageDagRunV1Dto)!;
                        runs.Extra.Should().BeNull();
                        runs.DagRuns.Where(r => r.Extra != null).Should().BeEmpty();
                        runs.DagRuns.ForEach(AssertRun);
                        AssertNatives(runs.DagRuns.Select(r => AirflowMapping.ToRun(r, "replay").Native), e.ResponseBody!["dag_runs"]);
                        break;
                    case "tasks":
                        var tis = JsonSerializer.Deserialize(body, Json.TaskInstancePageTaskInstanceV1Dto)!;
                        tis.Extra.Should().BeNull();
                        tis.TaskInstances.Should().NotBeEmpty().And.OnlyContain(t => t.Extra == null);
                        var tasks = tis.TaskInstances.Select(t => AirflowMapping.ToTaskRun(t, "d/r", "replay")).ToList();
                        tasks.Should().OnlyContain(t => t.Attempt >= 1 && t.Status != RunStatus.Unknown && t.Native != null);
                        AssertNatives(tasks.Select(t => t.Native), e.ResponseBody!["task_instances"]);
                        break;
                    case "log":
                        AssertLog(e, body);
                        break;
                    default:
                        throw new InvalidOperationException($"Unclassified recorded response {e}.");
                }
            }
            parsed++;
        }
        parsed.Should().BeGreaterThan(40);
    }

    [SharedFact]
    public void Every_recorded_Airflow_3_0_success_the_adapter_reads_parses_without_losing_a_field()
    {
        var parsed = 0;
        foreach (var e in Recordings.Load("airflow-3.0.jsonl").Where(e => e.Status is >= 200 and < 300 && e.ResponseBody is JsonObject))
        {
            var body = e.ResponseText;
            using (new AssertionScope(e.ToString()))
            {
                switch (e.Path)
                {
                    case "/api/v2/version":
                        JsonSerializer.Deserialize(body, Json.VersionDto)!.Extra.Should().BeNull();
                        break;
                    case "/api/v2/dags":
                        var dags = JsonSerializer.Deserialize(body, Json.DagPageDagV2Dto)!;
                        dags.Extra.Should().BeNull();
                        dags.Dags.Where(d => d.Extra != null || d.Tags!.Any(t => t.Extra != null)).Should().BeEmpty();
                        break;
                    case var p when Regex.IsMatch(p, @"^/api/v2/dags/[^/]+$"):
                        var dag = JsonSerializer.Deserialize(body, Json.DagV2Dto)!;
                        (dag.Extra == null && dag.Tags!.All(t => t.Extra == null)).Should().BeTrue();
                        break;
                    case var p when Regex.IsMatch(p, @"/dagRuns/[^/]+(/clear)?$") && !p.EndsWith("/list", StringComparison.Ordinal) && e.ResponseBody!["dag_run_id"] is not null:
                    case var q when q.EndsWith("/dagRuns", StringComparison.Ordinal) && e.Method == "POST":
                        JsonSerializer.Deserialize(body, Json.DagRunV2Dto)!.Extra.Should().BeNull();
                        break;
                    case var p when p.EndsWith("/dagRuns", StringComparison.Ordinal):
                        var runs = JsonSerializer.Deserialize(body, Json.DagRunPageDagRunV2Dto)!;
                        runs.Extra.Should().BeNull();
                        runs.DagRuns.Where(r => r.Extra != null).Should().BeEmpty();
                        break;
                    case var p when p.EndsWith("/taskInstances", StringComparison.Ordinal) || p.EndsWith("/tries", StringComparison.Ordinal):
                        var tis = JsonSerializer.Deserialize(body, Json.TaskInstancePageTaskInstanceV2Dto)!;
                        tis.Extra.Should().BeNull();
                        tis.TaskInstances.Should().NotBeEmpty().And.OnlyContain(t => t.Extra == null);
                        break;
                    case var p when Regex.IsMatch(p, @"/taskInstances/[^/~]+$"):
                        JsonSerializer.Deserialize(body, Json.TaskInstanceV2Dto)!.Extra.Should().BeNull();
                        break;
                    case var p when Regex.IsMatch(p, @"/logs/\d+$"):
                        var log = JsonSerializer.Deserialize(body, Json.TaskLogDto)!;
                        log.Extra.Should().BeNull();
                        log.Content!.Value.ValueKind.Should().Be(JsonValueKind.Array);
                        if (log.ContinuationToken is { } token)
                        {
                            TaskLogContent.DecodeToken(token)!.Extra.Should().BeNull("a token is {end_of_log, log_pos}");
                        }
                        break;
                    default:
                        continue; // endpoints no operation reads: OperationReplayTests lists them with the reason
                }
            }
            parsed++;
        }
        parsed.Should().BeGreaterThan(45);
    }

    private static void AssertNatives(IEnumerable<JsonElement?> natives, JsonNode? recorded)
        => OperationReplay.Pairs(natives, recorded).SelectMany(p => NativeJson.Differences(p.Native, p.Recorded, NativeNormalization.NullPropertiesOmitted))
            .Should().BeEmpty("Native is the object as Airflow sent it (docs/airflow.md: null properties are left out)");

    private static void AssertRun(DagRunV1Dto run)
    {
        var mapped = AirflowMapping.ToRun(run, "replay");
        AirflowMapping.TryParseRunId(mapped.Id, out var dagId, out var dagRunId).Should().BeTrue();
        dagId.Should().Be(run.DagId);
        dagRunId.Should().Be(run.DagRunId);
        mapped.RawStatus.Should().Be(run.State);
        mapped.Status.Should().NotBe(RunStatus.Unknown);
        mapped.Params.Keys.Should().BeEquivalentTo(run.Conf!.Select(kv => kv.Key));
        mapped.Native!.Value.GetProperty("execution_date").ValueKind.Should().Be(JsonValueKind.String);
        if (run.Conf!["lr"] is { } lr)
        {
            mapped.Params["lr"].Should().Be(lr.ToJsonString());
        }
    }

    private static void AssertLog(RecordedExchange e, string body)
    {
        if (e.ResponseHeader("Content-Type") == "text/plain")
        {
            // Asked with Accept: text/plain: raw text, the host on the first line. The adapter asks for JSON.
            TaskLogContent.ToText(JsonSerializer.SerializeToElement(body, Json.String)).Should().StartWith("vm\n*** Found local files");
            return;
        }
        var log = JsonSerializer.Deserialize(body, Json.TaskLogDto)!;
        log.Extra.Should().BeNull();
        var raw = log.Content!.Value.GetString()!;
        TaskLogContent.TryParsePythonHostTuples(raw, out var parts).Should().BeTrue(raw.Length > 80 ? raw[..80] : raw);
        parts.Should().ContainSingle();
        var text = TaskLogContent.ToText(log.Content);
        text.Should().Be(parts[0].Text);
        if (raw.StartsWith("[('vm', \"*** Found", StringComparison.Ordinal))
        {
            // Python escapes decoded: real newlines and the single quotes inside the double-quoted literal.
            text.Should().Contain("\n[20").And.NotContain("\\n").And.Contain("AIRFLOW_CTX_DAG_OWNER='airflow'");
        }
        var token = TaskLogContent.DecodeToken(log.ContinuationToken!)!;
        token.Should().NotBeNull();
        token.Extra.Should().BeNull();
        token.EndOfLog.Should().NotBeNull();
        token.LogPos.Should().BeGreaterThanOrEqualTo(0);
        TaskLogContent.IsEndOfLog(log.ContinuationToken).Should().Be(token.EndOfLog);
    }

    private static string Classify(RecordedExchange e) => e.Path switch
    {
        var p when p.EndsWith("/version", StringComparison.Ordinal) => "version",
        var p when p.EndsWith("/dags", StringComparison.Ordinal) => "dags",
        var p when Regex.IsMatch(p, @"/dags/[^/]+$") => "dag",
        var p when Regex.IsMatch(p, @"/dagRuns/[^/]+(/clear)?$") => "run",
        var p when p.EndsWith("/dagRuns", StringComparison.Ordinal) && e.Method == "GET" => "runs",
        var p when p.EndsWith("/dagRuns", StringComparison.Ordinal) && e.Method == "POST" => "run",
        var p when p.EndsWith("/taskInstances", StringComparison.Ordinal) => "tasks",
        var p when Regex.IsMatch(p, @"/logs/\d+$") => "log",
        _ => "?",
    };

    [SharedFact]
    public async Task Every_recorded_error_maps_to_the_right_exception_through_the_operation_that_receives_it()
    {
        var recording = Recordings.Load("airflow-2.10.3.jsonl");
        var errors = recording.Where(e => e.Status >= 400).ToList();
        errors.Should().HaveCountGreaterThan(15);
        await using var server = await RecordedServer.StartAsync(recording);
        using var sp = AirflowHost.Build(server.BaseUri, "v1", b =>
        {
            b.Auth.Type = "Basic";
            b.Auth.Username = "admin";
            b.Auth.Password = "admin";
        });
        var backend = sp.Backend();
        foreach (var e in errors)
        {
            server.Target = e;
            var (act, overrides) = ErrorOperation(backend, e, recording);
            server.Overrides = overrides;
            var thrown = (await act.Should().ThrowAsync<MlopsException>(e.ToString())).Which;
            server.TargetHits.Should().Be(1, "{0}: the operation sends the recorded request once (errors other than 5xx/429 are not retried)", e);
            thrown.Status.Should().Be(e.Status, e.ToString());
            thrown.Backend.Should().Be(AirflowHost.Name);
            thrown.Message.Should().NotBeNullOrWhiteSpace().And.NotContain("<redacted>");
            var expected = e.Status switch
            {
                400 => typeof(MlopsValidationException),
                401 or 403 => typeof(MlopsAuthenticationException),
                404 => typeof(MlopsNotFoundException),
                409 => typeof(MlopsConflictException),
                _ => typeof(MlopsException),
            };
            thrown.Should().BeOfType(expected, e.ToString());
            var body = JsonDocument.Parse(e.ResponseText).RootElement;
            var type = body.GetProperty("type").GetString()!;
            thrown.ErrorCode.Should().Be(type[(type.IndexOf("#section/Errors/", StringComparison.Ordinal) + 16)..], e.ToString());
            if (body.GetProperty("detail").GetString() is { } detail)
            {
                thrown.Message.Should().Contain(detail, e.ToString());
            }
            if (e.Status == 403)
            {
                thrown.Message.Should().Contain("'admin'").And.Contain("AUTH_ROLE_PUBLIC");
            }
        }
    }

    /// <summary>
    /// The public operation that sends a recorded error's request, and answers for the requests it sends first that the
    /// recording lacks (a log read first reads its task instance, which 2.10.3 was never asked for).
    /// </summary>
    private static (Func<Task> Act, IReadOnlyList<RecordedExchange> Overrides) ErrorOperation(IMlopsBackend backend, RecordedExchange e, IReadOnlyList<RecordedExchange> recording)
    {
        var run = Regex.Match(e.Path, @"^/api/v1/dags/([^/]+)/dagRuns/([^/]+)");
        var runId = run.Success ? AirflowMapping.RunId(Uri.UnescapeDataString(run.Groups[1].Value), Uri.UnescapeDataString(run.Groups[2].Value)) : "";
        var dagId = Regex.Match(e.Path, @"^/api/v1/dags/([^/]+)").Groups[1].Value;
        if (Regex.Match(e.Path, @"/taskInstances/([^/]+)/logs/\d+$") is { Success: true } log)
        {
            var mapIndex = e.Query.Where(q => q.Key == "map_index").Select(q => int.Parse(q.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(-1);
            var taskRunId = AirflowMapping.TaskRunId(log.Groups[1].Value, mapIndex);
            var instancePath = e.Path[..e.Path.LastIndexOf("/logs/", StringComparison.Ordinal)] + (mapIndex >= 0 ? $"/{mapIndex}" : "");
            return (() => backend.Pipelines.ReadTaskLogAsync(runId, taskRunId).ToListAsync().AsTask(), [TaskInstanceAt(recording, instancePath, log.Groups[1].Value, mapIndex)]);
        }
        return (e.Method, e.Path) switch
        {
            ("GET", "/api/v1/dags") => (() => OperationReplay.FirstPageAsync(backend.Pipelines.ListAsync(), null), []),
            ("GET", _) when run.Success => (() => backend.Runs.GetAsync(runId), []),
            ("GET", _) => (() => backend.Pipelines.GetAsync(dagId), []),
            ("PATCH", _) when run.Success => (() => backend.Runs.CancelAsync(runId), []),
            ("PATCH", _) => (() => backend.Pipelines.PauseAsync(dagId), []),
            // A 409 for the run id is answered with the existing run when it can be read back; the recording holds
            // no read of it at that moment, so the conflict stands, as it does for a duplicate logical date.
            ("POST", _) when e.Path.EndsWith("/dagRuns", StringComparison.Ordinal) => (() => backend.Pipelines.TriggerAsync(dagId, new TriggerOptions
            {
                RunId = (e.RequestBody as JsonObject)?["dag_run_id"]?.GetValue<string>(),
            }), []),
            _ => throw new InvalidOperationException($"No operation for the recorded error {e}."),
        };
    }

    /// <summary>The recorded task instance of the run's listing, standing in for the read of one instance 2.10.3 was never asked for.</summary>
    private static RecordedExchange TaskInstanceAt(IReadOnlyList<RecordedExchange> recording, string path, string taskId, int mapIndex)
    {
        var listing = recording.First(x => x.Method == "GET" && x.Path.EndsWith("/taskInstances", StringComparison.Ordinal) && x.Status == 200);
        var instance = listing.ResponseBody!["task_instances"]![0]!.DeepClone().AsObject();
        instance["task_id"] = taskId;
        instance["map_index"] = mapIndex;
        instance["try_number"] = 1;
        return listing with { Id = listing.Id + "-instance", Path = path, Query = [], ResponseBody = instance };
    }

    [SharedFact]
    public void Every_recorded_request_path_round_trips_through_the_run_id()
    {
        foreach (var e in Recordings.Load("airflow-2.10.3.jsonl"))
        {
            var m = Regex.Match(e.Path, @"^/api/v1/dags/([^/]+)/dagRuns/([^/]+)");
            if (!m.Success || m.Groups[2].Value == "~" || e.Status == 404)
            {
                continue;
            }
            var dagRunId = Uri.UnescapeDataString(m.Groups[2].Value);
            var id = AirflowMapping.RunId(Uri.UnescapeDataString(m.Groups[1].Value), dagRunId);
            AirflowMapping.TryParseRunId(id, out _, out var back).Should().BeTrue();
            back.Should().Be(dagRunId);
            if (dagRunId.Contains('+'))
            {
                id.Should().Contain("%2B").And.Contain("%3A");
            }
        }
    }
}
