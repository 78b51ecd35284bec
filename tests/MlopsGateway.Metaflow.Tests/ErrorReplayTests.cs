using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Metaflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>
/// Every recorded real response, served byte for byte (status, content type, the JSON-string bodies still encoded),
/// goes through the public API: once through the operation that sends that request (<see cref="OperationReplay"/>,
/// objects come back with <c>Native</c> equal to the recorded row), and every error once more through an operation that
/// does not handle it, which must throw the right exception with the backend's code and a readable message.
/// </summary>
public sealed class ErrorReplayTests
{
    private const string Flow = "e8qn7uTrainFlow";

    [SharedFact]
    public async Task Every_recorded_exchange_is_received_by_its_operation_or_listed_with_a_reason()
    {
        var recording = RecordedWire.All;
        var (problems, notReceivable, replayed) = await OperationReplay.RunAsync(recording, Backend, Case, Expected, wireBody: RecordedWire.RawBody);

        problems.Should().BeEmpty();
        replayed.Should().Be(recording.Count - notReceivable.Count);
        notReceivable.Should().HaveCount(4, "the exchanges of endpoints no gateway operation calls:\n{0}", string.Join("\n", notReceivable));
    }

    [SharedFact]
    public async Task Every_recorded_error_maps_to_the_right_exception_through_the_public_api()
    {
        RecordedExchange? current = null;
        await using var server = FakeServer.Start().Fallback(_ =>
            FakeResponse.Text(current!.Status, RecordedWire.RawBody(current), current.ResponseHeader("Content-Type") ?? "text/plain; charset=utf-8"));
        var (backend, scope) = Backend(server.BaseUri);
        await using var _ = scope;

        var errors = 0;
        foreach (var e in RecordedWire.All.Where(x => x.Status >= 400))
        {
            current = e;
            errors++;
            // One request, no handling of its own: whatever the answer, it is the operation's error.
            var act = () => backend.Pipelines.GetAsync("AnyFlow");
            var thrown = (await act.Should().ThrowAsync<MlopsException>(e.ToString())).Which;
            var expected = Expected(e);
            thrown.GetType().Should().Be(expected.Type, e.ToString());
            thrown.Status.Should().Be(e.Status);
            thrown.Backend.Should().Be("mf");
            thrown.Operation.Should().Be("Pipelines.Get");
            thrown.ErrorCode.Should().Be(expected.Code, e.ToString());
            thrown.Message.Should().NotContain("Traceback", "tracebacks stay out of messages").And.NotContain("File \"/data");
            if (expected.MessageContains is { } text)
            {
                thrown.Message.Should().Contain(text, e.ToString());
            }
        }
        errors.Should().BeGreaterThan(25);
    }

    private static (IMlopsBackend, IAsyncDisposable) Backend(Uri server)
    {
        var options = new BackendOptions { Type = "Metaflow", BaseUrl = server.ToString() };
        options.Resilience.MaxRetryAttempts = 0;
        options.Resilience.CircuitFailureRatio = 0;
        options.Settings["User"] = "alice";
        var provider = new ServiceCollection().AddMlopsGateway(o => o.Backends["mf"] = options).AddMetaflow().Services.BuildServiceProvider();
        return (provider.GetRequiredKeyedService<IMlopsBackend>("mf"), provider);
    }

    private static MetaflowMetadataClient Metadata(IMlopsBackend b) => b.GetService<MetaflowMetadataClient>()!;

    /// <summary>The operation that sends each recorded request (path parts: flows/F/runs/R/steps/S/tasks/T/…).</summary>
    private static ReplayCase Case(RecordedExchange e)
    {
        var p = e.Path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var run = p.Length > 3 ? $"{p[1]}/{p[3]}" : "";
        return (e.Method, p) switch
        {
            ("GET", ["ping"]) => ReplayCase.Receives(async b => (await b.CheckHealthAsync()).ServerVersion.Should().Be("2.5.1")),
            ("GET", ["version"]) => ReplayCase.None("the gateway reads the version from /ping's METADATA_SERVICE_VERSION header, never /version"),
            ("GET", ["healthcheck"]) => ReplayCase.None("CheckHealthAsync pings; no operation calls /healthcheck"),
            ("GET", ["auth", "token"]) => ReplayCase.None("/auth/token is the sandbox's token endpoint; the gateway sends a configured API key instead"),
            ("GET", ["nope"]) => ReplayCase.None("the recorder's unknown route; the answer is replayed through Pipelines.Get by the error test"),
            ("GET", ["flows"]) => ReplayCase.Receives(async b =>
                OperationReplay.Pairs((await b.Pipelines.ListAsync().ToListAsync()).Select(f => f.Native), e.ResponseBody)),
            ("GET", ["flows", var f]) => ReplayCase.Receives(async b => One((await b.Pipelines.GetAsync(f)).Native, e)),
            // A second registration meets 409 and reads the flow registered before.
            ("POST", ["flows", var f]) when e.Status == 409 => ReplayCase.Receives(async b => (await Metadata(b).RegisterFlowAsync(f)).Id.Should().Be(f)) with { ErrorHandled = true },
            ("POST", ["flows", var f]) => ReplayCase.Receives(async b => One((await Metadata(b).RegisterFlowAsync(f)).Native, e)),
            ("GET", ["flows", var f, "runs"]) when e.ResponseBody is JsonArray { Count: 0 } => ReplayCase.Receives(b =>
                b.Runs.Invoking(r => r.ListAsync(new RunQuery { PipelineId = f }).ToListAsync()).Should()
                    .ThrowAsync<MlopsNotFoundException>("the service answers 200 [] for a missing flow")),
            ("GET", ["flows", var f, "runs"]) => ReplayCase.Receives(async b =>
                OperationReplay.Pairs((await b.Runs.ListAsync(new RunQuery { PipelineId = f, PageSize = QueryInt(e, "_limit") }).ToListAsync()).Select(r => r.Native), e.ResponseBody)),
            ("POST", ["flows", var f, "run"]) => RunCreate(e, f),
            ("PUT", ["flows", _, "runs", _]) => ReplayCase.Receives(b => b.Runs.GetAsync(run), anyMethod: true),
            ("GET", ["flows", _, "runs", var r]) => ReplayCase.Receives(async b => One((await b.Runs.GetAsync(run)).Native, e)) with { Context = RunReadContext(p[1], r) },
            ("PATCH", [.., "tag", "mutate"]) => ReplayCase.Receives(b => b.Runs.SetTagAsync(run, "reviewed", "")) with { Context = [RunRow(p[1], p[3])] },
            ("POST", ["flows", _, "runs", _, "heartbeat"]) => ReplayCase.Receives(async b =>
                (await Metadata(b).HeartbeatRunAsync(run)).Should().Be(e.Status == 200, "a beat that updated nothing answers 404")) with { ErrorHandled = true },
            ("GET", ["flows", _, "runs", _, "steps"]) when e.ResponseBody is JsonArray { Count: 0 } => ReplayCase.Receives(b =>
                Metadata(b).Invoking(m => m.ListStepsAsync(run).ToListAsync()).Should().ThrowAsync<MlopsNotFoundException>()),
            ("GET", ["flows", _, "runs", _, "steps"]) => ReplayCase.Receives(async b =>
                (await Metadata(b).ListStepsAsync(run).ToListAsync()).Select(s => s.Name).Should().Equal(Strings(e.ResponseBody, "step_name"))),
            // The step itself is read where a listing under it is empty: the listing's parent check.
            ("GET", ["flows", _, "runs", _, "steps", var s]) when e.Status == 200 => ReplayCase.Receives(async b =>
                (await Metadata(b).ListTasksAsync(run, s).ToListAsync()).Should().BeEmpty()) with { Context = [EmptyList($"{e.Path}/tasks")] },
            ("GET", ["flows", _, "runs", _, "steps", var s]) => ReplayCase.Receives(b => Metadata(b).ListTasksAsync(run, s).ToListAsync())
                with { Context = [EmptyList($"{e.Path}/tasks")] },
            ("POST", [.., "steps", var s, "step"]) => ReplayCase.Receives(async b => (await Metadata(b).RegisterStepAsync(run, s)).Name.Should().Be(s)),
            ("GET", [.., "steps", var s, "tasks"]) => ReplayCase.Receives(async b =>
                (await Metadata(b).ListTasksAsync(run, s).ToListAsync()).Select(t => t.TaskId).Should().Equal(Strings(e.ResponseBody, "task_id"))),
            ("POST", [.., "steps", var s, "task"]) => TaskCreate(e, run, s),
            ("GET", [.., "steps", var s, "filtered_tasks"]) => ReplayCase.Receives(async b =>
                (await Metadata(b).FilterTasksAsync(run, s, Query(e, "metadata_field_name") ?? "attempt_ok", e.Status == 200 ? Query(e, "pattern") ?? ".*" : "^True$"))
                    .Should().Equal(Strings(e.ResponseBody, null))),
            ("GET", [.., "steps", var s, "tasks", var t]) => ReplayCase.Receives(async b => (await Metadata(b).GetTaskAsync(run, s, t)).TaskId.Should().Be(t)),
            ("POST", [.., "steps", var s, "tasks", var t, "heartbeat"]) => ReplayCase.Receives(async b =>
                (await Metadata(b).HeartbeatTaskAsync(run, s, t)).Should().Be(e.Status == 200, "a beat that updated nothing answers 404")) with { ErrorHandled = true },
            ("GET", [.., "steps", var s, "tasks", var t, "metadata"]) when e.ResponseBody is JsonArray { Count: 0 } => ReplayCase.Receives(b =>
                Metadata(b).Invoking(m => m.ListTaskMetadataAsync(run, s, t).ToListAsync()).Should().ThrowAsync<MlopsNotFoundException>()),
            ("POST", [.., "steps", var s, "tasks", var t, "metadata"]) => Writes(e, "metadata_created", (b, n) =>
                Metadata(b).AddMetadataAsync(run, s, t, [.. Enumerable.Range(0, n).Select(i => new MetaflowMetadataWrite($"field-{i}", "v"))])),
            ("GET", ["flows", _, "runs", _, "metadata"]) => ReplayCase.Receives(async b =>
                (await Metadata(b).ListRunMetadataAsync(run).ToListAsync()).Select(m => m.Id.ToString(CultureInfo.InvariantCulture)).Should().Equal(Strings(e.ResponseBody, "id"))),
            ("POST", [.., "steps", var s, "tasks", var t, "artifact"]) => Writes(e, "artifacts_created", (b, n) =>
                Metadata(b).AddArtifactsAsync(run, s, t, [.. Enumerable.Range(0, n).Select(i => new MetaflowArtifactWrite { Name = $"a{i}", Location = "s3://b/a", Sha = "s" })])),
            ("GET", [.., "steps", var s, "tasks", var t, "artifacts"]) => Artifacts(e, b => Metadata(b).ListArtifactsAsync(run, s, t)),
            ("GET", [.., "steps", var s, "tasks", var t, "attempt", var a, "artifacts"]) => Artifacts(e, b => Metadata(b).ListArtifactsAsync(run, s, t, int.Parse(a, CultureInfo.InvariantCulture))),
            ("GET", [.., "steps", var s, "artifacts"]) => Artifacts(e, b => Metadata(b).ListArtifactsAsync(run, s)),
            ("GET", [.., "steps", var s, "tasks", var t, "artifacts", var n]) => ReplayCase.Receives(async b => One((await Metadata(b).GetArtifactAsync(run, s, t, n)).Native, e)),
            ("GET", [.., "steps", var s, "tasks", var t, "artifacts", var n, "attempt", var a]) => ReplayCase.Receives(async b =>
                One((await Metadata(b).GetArtifactAsync(run, s, t, n, int.Parse(a, CultureInfo.InvariantCulture))).Native, e)),
            _ => throw new InvalidOperationException($"No case for {e}: classify it (an operation, or a reason no operation calls it)."),
        };
    }

    /// <summary>Runs.CreateRun sends the recorded POST; numeric ids are refused before sending, so a string id receives every answer.</summary>
    private static ReplayCase RunCreate(RecordedExchange e, string flow)
    {
        var runId = Body(e, "run_number") is { } id && !id.All(char.IsAsciiDigit) ? id : "argo-replayed";
        if (e.Status == 409)
        {
            // The duplicate is read back as the existing run.
            return ReplayCase.Receives(async b => (await b.Runs.CreateRunAsync(flow, new RunCreateOptions { RunId = runId })).Id.Should().Be($"{flow}/{runId}"))
                with { ErrorHandled = true, Context = RunReadContext(flow, runId) };
        }
        return ReplayCase.Receives(async b => One((await b.Runs.CreateRunAsync(flow, new RunCreateOptions { RunId = runId })).Native, e));
    }

    private static ReplayCase TaskCreate(RecordedExchange e, string run, string step)
    {
        var name = Body(e, "task_id") is { } id && !id.All(char.IsAsciiDigit) ? id : null;
        return ReplayCase.Receives(async b =>
        {
            var task = await Metadata(b).RegisterTaskAsync(run, step, name);
            task.TaskId.Should().Be(name ?? e.ResponseBody?["task_id"]?.ToString());
        }) with { ErrorHandled = e.Status == 409 };
    }

    /// <summary>
    /// A write answers how many rows it stored: as many rows as that are sent, so the count agrees; where it stored none,
    /// one row is sent and the gateway must report the silent drop.
    /// </summary>
    private static ReplayCase Writes(RecordedExchange e, string countField, Func<IMlopsBackend, int, Task> write)
    {
        var stored = (e.ResponseBody as JsonObject)?[countField]?.GetValue<int>() ?? 0;
        if (e.Status != 200 || stored > 0)
        {
            return ReplayCase.Receives(b => write(b, Math.Max(stored, 1)));
        }
        return ReplayCase.Receives(async b =>
        {
            var thrown = (await FluentActions.Awaiting(() => write(b, 1)).Should().ThrowAsync<MlopsException>()).Which;
            thrown.Message.Should().Contain("stored 0 of 1");
            thrown.Status.Should().Be(200);
        });
    }

    private static ReplayCase Artifacts(RecordedExchange e, Func<IMlopsBackend, MlopsPageable<MetaflowArtifact>> list)
        => e.ResponseBody is JsonArray { Count: 0 }
            ? ReplayCase.Receives(b => FluentActions.Awaiting(() => list(b).ToListAsync()).Should().ThrowAsync<MlopsNotFoundException>("the service answers 200 [] for a missing task"))
            : ReplayCase.Receives(async b => OperationReplay.Pairs((await list(b).ToListAsync()).Select(a => a.Native), e.ResponseBody));

    /// <summary>The exception each recorded error must become (by case, not by a copy of the mapping code).</summary>
    private static ErrorExpectation Expected(RecordedExchange e)
    {
        var pg = e.ResponseText.Contains("pgcode", StringComparison.Ordinal) ? JsonNode.Parse(e.ResponseText)?["err_msg"]?["pgcode"]?.GetValue<string>() : null;
        var type = (e.Id, e.Status) switch
        {
            ("step-create-missing-run", 500) => typeof(MlopsNotFoundException), // 2.5.1's KeyError 'run_number': the run is missing
            ("err-unknown-route", 404) or ("err-put-run", 405) => typeof(MlopsEndpointNotFoundException), // aiohttp's plain-text page: no such route
            (_, 404) => typeof(MlopsNotFoundException),
            (_, 409) => typeof(MlopsConflictException),
            (_, 400 or 422) => typeof(MlopsValidationException),
            (_, 500) => typeof(MlopsUnavailableException),
            _ => throw new InvalidOperationException($"No expectation for {e}"),
        };
        // The DETAIL line names the clashing or missing key.
        return new ErrorExpectation(type, pg, pg is null ? null : "Key (", "Traceback", "File \"/data");
    }

    /// <summary>Reading a run also lists its end step's tasks and its parameters; the recording has neither for most runs.</summary>
    private static IReadOnlyList<RecordedExchange> RunReadContext(string flow, string run)
        => [EmptyList($"/flows/{flow}/runs/{run}/steps/end/tasks"), EmptyList($"/flows/{flow}/runs/{run}/steps/_parameters/artifacts")];

    /// <summary>A run the recording never read (tag mutation reads the run first, to keep system tags out).</summary>
    private static RecordedExchange RunRow(string flow, string run) => Synthetic($"/flows/{flow}/runs/{run}", new JsonObject
    {
        ["flow_id"] = flow, ["run_number"] = run, ["user_name"] = "alice", ["ts_epoch"] = 1795323907000, ["tags"] = new JsonArray(),
        ["system_tags"] = new JsonArray("user:alice"), ["last_heartbeat_ts"] = null,
    });

    private static RecordedExchange EmptyList(string path) => Synthetic(path, new JsonArray());

    private static RecordedExchange Synthetic(string path, JsonNode body)
        => new("synthetic", "GET", path, [], [], null, 200, new JsonObject { ["Content-Type"] = "text/plain; charset=utf-8" }, body, "not recorded: the state at this moment");

    private static IReadOnlyList<NativePair> One(JsonElement? native, RecordedExchange e) => [new(native, e.ResponseBody)];

    private static IEnumerable<string?> Strings(JsonNode? array, string? member)
        => (array as JsonArray ?? []).Select(x => (member is null ? x : x?[member])?.ToString());

    private static string? Query(RecordedExchange e, string key) => e.Query.FirstOrDefault(q => q.Key == key).Value;

    private static int? QueryInt(RecordedExchange e, string key) => Query(e, key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

    private static string? Body(RecordedExchange e, string key) => (e.RequestBody as JsonObject)?[key] is JsonValue v ? v.ToString() : null;

    [Theory]
    [InlineData(409, "\"{\\\"err_msg\\\": {\\\"pgerror\\\": \\\"ERROR:  duplicate key value violates unique constraint \\\\\\\"flows_v3_pkey\\\\\\\"\\\\nDETAIL:  Key (flow_id)=(F) already exists.\\\\n\\\", \\\"pgcode\\\": \\\"23505\\\", \\\"diag\\\": {\\\"message_primary\\\": \\\"duplicate key\\\", \\\"severity\\\": \\\"ERROR\\\"}}}\"", "23505", "Key (flow_id)=(F) already exists.")]
    [InlineData(422, "\"Cannot remove tags that are existing system tags {'user:alice'}\"", null, "Cannot remove tags that are existing system tags {'user:alice'}")]
    [InlineData(500, "500 Internal Server Error\n\nServer got itself in trouble", null, "500 Internal Server Error Server got itself in trouble")]
    [InlineData(400, "{\"message\": \"need to register run_id and task_id first\"}", null, "need to register run_id and task_id first")]
    [InlineData(404, "{}", null, "not found")]
    [InlineData(500, "{\"err_msg\": {\"type\": \"timeout error\"}}", null, "timeout error")]
    public void Error_bodies_read_leniently(int status, string body, string? code, string message)
    {
        var parsed = MetaflowErrorParser.Instance.Parse((System.Net.HttpStatusCode)status, "text/plain", body);
        parsed.Code.Should().Be(code);
        parsed.Message.Should().Contain(message);
    }

    [Fact]
    public void A_concurrent_tag_mutation_clash_is_a_conflict()
    {
        var parsed = MetaflowErrorParser.Instance.Parse(System.Net.HttpStatusCode.Conflict, "text/plain", JsonSerializer.Serialize("Conflicting concurrent tag mutation, please retry"));
        parsed.Message.Should().Be("Conflicting concurrent tag mutation, please retry");
        parsed.Kind.Should().BeNull("409 already maps to Conflict by status");
    }
}
