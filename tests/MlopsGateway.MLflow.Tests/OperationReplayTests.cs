using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.MLflow.Tests;

/// <summary>
/// Issue 15: every exchange recorded from a real MLflow 3.11 server goes through the public operation that sends
/// that request, against a server answering with the recorded response (<see cref="OperationReplay"/>): objects
/// come back with <c>Native</c> equal to the recorded JSON, errors as the right exception with the recorded status,
/// error code and the server's message (raw SQL and server paths left out). Exchanges of endpoints no operation
/// calls are listed with the reason.
/// </summary>
public sealed class OperationReplayTests
{
    [SharedFact]
    public async Task Every_MLflow_3_11_exchange_is_received_by_its_operation_or_listed_with_a_reason()
    {
        var recording = RecordedRoutes.V3;
        recording.Should().HaveCount(143);

        var (problems, notReceivable, replayed) = await OperationReplay.RunAsync(recording, Backend, Case, Expected);

        problems.Should().BeEmpty();
        replayed.Should().Be(recording.Count - notReceivable.Count);
        notReceivable.Should().HaveCount(35, "the exchanges of endpoints no gateway operation calls:\n{0}", string.Join("\n", notReceivable));
    }

    private static (IMlopsBackend, IAsyncDisposable) Backend(Uri server)
    {
        var provider = MLflowHarness.BuildProvider(server);
        return (provider.GetRequiredKeyedService<IMlopsBackend>("ml"), provider);
    }

    private static MLflowTrackingClient Tracking(IMlopsBackend b) => (MLflowTrackingClient)b.GetService(typeof(MLflowTrackingClient))!;

    private static ReplayCase Case(RecordedExchange e)
    {
        if (e.Path.StartsWith("/ajax-api/", StringComparison.Ordinal))
        {
            return ReplayCase.None("the gateway calls /api/2.0, never the UI's /ajax-api mirror");
        }
        if (e.Path == "/health")
        {
            return ReplayCase.None("CheckHealthAsync asks /version; no operation calls /health");
        }
        if (e.Path == "/version")
        {
            return ReplayCase.Receives(async b => (await Tracking(b).GetServerVersionAsync()).Should().Be(new Version(3, 11, 2)));
        }
        if (e.Id == "run-log-metric")
        {
            return ReplayCase.None("metrics are sent through runs/log-batch; no operation calls runs/log-metric");
        }
        if (e.Id == "run-log-outputs")
        {
            return ReplayCase.None("linking a run to logged models (runs/outputs) has no gateway operation");
        }
        if (e.Id == "art-upload-model-mlmodel")
        {
            return ReplayCase.None("writing files into a logged model's artifact location has no gateway operation");
        }
        if (e.Id == "art-upload-traversal")
        {
            return ReplayCase.None("the gateway refuses '..' in artifact paths before sending (MlopsValidationException), so it never sends this request");
        }
        if (e.Method == "DELETE" && e.Path.StartsWith("/api/2.0/mlflow-artifacts/artifacts/", StringComparison.Ordinal))
        {
            return ReplayCase.None("deleting an artifact has no gateway operation");
        }
        if (RecordedRoutes.NotReadByAdapter(e.Method, e.Path) is { } reason)
        {
            return ReplayCase.None(reason);
        }
        if (e.Path.StartsWith("/api/2.0/mlflow-artifacts/artifacts/", StringComparison.Ordinal))
        {
            return ArtifactCase(e);
        }
        if (e.Path == "/api/2.0/mlflow-artifacts/artifacts")
        {
            // The proxy listing is what ListVersionFilesAsync reads (version 2's download URI is a proxied location).
            return ReplayCase.Receives(async b => (await b.Models.ListVersionFilesAsync("eddrcm-rm-main", "2").ToListAsync())
                .Select(f => f.Path).Should().Equal(Files(e).Select(f => f!["path"]!.GetValue<string>())));
        }
        var rpc = e.Path.Replace("/api/2.0/mlflow/", "", StringComparison.Ordinal);
        return rpc switch
        {
            "experiments/create" => ReplayCase.Receives(async b =>
            {
                var created = await b.Runs.CreateExperimentAsync(Body(e, "name") ?? "x", new ExperimentCreateOptions { Tags = Pairs(e, "tags") });
                created.Backend.Should().Be("ml");
            }),
            "experiments/get" => ReplayCase.Receives(async b => One(await b.Runs.GetExperimentAsync(Query(e, "experiment_id")), e, "experiment")),
            "experiments/get-by-name" => ReplayCase.Receives(async b => One(await b.Runs.GetExperimentByNameAsync(Query(e, "experiment_name")), e, "experiment")),
            "experiments/search" => ReplayCase.Receives(async b =>
            {
                var page = await OperationReplay.FirstPageAsync(b.Runs.ListExperimentsAsync(new ExperimentQuery { PageSize = Int(e, "max_results") }), Body(e, "page_token"));
                page.ContinuationToken.Should().Be(Response(e, "next_page_token"));
                return OperationReplay.Pairs(page.Values.Select(x => x.Native), e.ResponseBody?["experiments"]);
            }),
            "experiments/update" => ReplayCase.Receives(b => Tracking(b).RenameExperimentAsync(Body(e, "experiment_id")!, Body(e, "new_name")!)),
            "experiments/set-experiment-tag" => ReplayCase.Receives(b => Tracking(b).SetExperimentTagAsync(Body(e, "experiment_id")!, Body(e, "key")!, Body(e, "value")!)),
            "experiments/delete-experiment-tag" => ReplayCase.Receives(b => Tracking(b).DeleteExperimentTagAsync(Body(e, "experiment_id")!, Body(e, "key")!)),
            "experiments/delete" => ReplayCase.Receives(b => b.Runs.DeleteExperimentAsync(Body(e, "experiment_id")!)),
            "experiments/restore" => ReplayCase.Receives(b => b.Runs.RestoreExperimentAsync(Body(e, "experiment_id")!)),
            "runs/create" => ReplayCase.Receives(async b => One(await b.Runs.CreateRunAsync(Body(e, "experiment_id")!, new RunCreateOptions { Name = Body(e, "run_name") }), e, "run")),
            "runs/get" => ReplayCase.Receives(async b => One(await b.Runs.GetAsync(Query(e, "run_id")), e, "run")),
            // The recorded batches hold values the gateway refuses before sending (6001-character params, 1001 metrics);
            // what is replayed is the answer, so a one-point batch is what receives it.
            "runs/log-batch" => ReplayCase.Receives(b => b.Runs.LogBatchAsync(Body(e, "run_id") ?? "a0d90d4625794ee29de9da1ae638e8d3",
                new RunLogBatch { Metrics = [new MetricPoint("loss", 0.5, DateTimeOffset.UnixEpoch.AddYears(56))] })),
            "runs/set-tag" => ReplayCase.Receives(b => b.Runs.SetTagAsync(Body(e, "run_id")!, Body(e, "key")!, Body(e, "value")!)),
            "runs/delete-tag" => ReplayCase.Receives(b => b.Runs.DeleteTagAsync(Body(e, "run_id")!, Body(e, "key")!)),
            "runs/log-inputs" => ReplayCase.Receives(b => Tracking(b).LogInputsAsync(Body(e, "run_id")!, [new MLflowDataset("train", "a1b2c3d4", "local", "{}")])),
            "runs/update" => ReplayCase.Receives(async b => (await b.Runs.EndAsync(Body(e, "run_id")!, RunStatus.Succeeded)).Backend.Should().Be("ml")),
            "runs/delete" => ReplayCase.Receives(b => b.Runs.DeleteAsync(Body(e, "run_id") ?? "a0d90d4625794ee29de9da1ae638e8d3"), anyMethod: e.Method != "POST"),
            "runs/restore" => ReplayCase.Receives(b => Tracking(b).RestoreRunAsync(Body(e, "run_id")!)),
            "runs/search" => ReplayCase.Receives(async b =>
            {
                var ids = (e.RequestBody as JsonObject)?["experiment_ids"]?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? ["62"];
                var page = await OperationReplay.FirstPageAsync(b.Runs.ListAsync(new RunQuery { ExperimentIds = ids, PageSize = Int(e, "max_results") }), Body(e, "page_token"));
                page.ContinuationToken.Should().Be(Response(e, "next_page_token"));
                return OperationReplay.Pairs(page.Values.Select(r => r.Native), e.ResponseBody?["runs"]);
            }, anyMethod: e.Method != "POST"),
            "metrics/get-history" => ReplayCase.Receives(async b =>
            {
                var token = e.Query.FirstOrDefault(q => q.Key == "page_token").Value;
                var size = int.Parse(Query(e, "max_results"), System.Globalization.CultureInfo.InvariantCulture);
                var page = await b.Runs.GetMetricHistoryAsync(Query(e, "run_id"), Query(e, "metric_key")).AsPages(token is null ? null : "0:" + token, size).FirstAsync();
                page.Values.Select(p => p.Step).Should().Equal(Response(e, "metrics", m => m["step"]!.GetValue<long>()));
                page.ContinuationToken.Should().Be(Response(e, "next_page_token") is { } next ? "0:" + next : null);
            }),
            "artifacts/list" => ReplayCase.Receives(async b => (await b.Runs.ListArtifactsAsync(Query(e, "run_id"), e.Query.FirstOrDefault(q => q.Key == "path").Value).ToListAsync())
                .Select(a => a.Path).Should().Equal(Files(e).Select(f => f!["path"]!.GetValue<string>()))),
            "logged-models" => ReplayCase.Receives(async b => One((await Tracking(b).CreateLoggedModelAsync(Body(e, "experiment_id")!,
                new MLflowLoggedModelCreateOptions { Name = Body(e, "name"), ModelType = Body(e, "model_type"), SourceRunId = Body(e, "source_run_id") })).Native, e, "model")),
            "logged-models/search" when e.Method == "POST" => ReplayCase.Receives(async b =>
            {
                var ids = e.RequestBody!["experiment_ids"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
                var page = await OperationReplay.FirstPageAsync(Tracking(b).SearchLoggedModelsAsync(ids, Body(e, "filter"), Int(e, "max_results")), Body(e, "page_token"));
                page.ContinuationToken.Should().Be(Response(e, "next_page_token"));
                return OperationReplay.Pairs(page.Values.Select(m => m.Native), e.ResponseBody?["models"]);
            }),
            _ when rpc.StartsWith("logged-models/", StringComparison.Ordinal) && e.Method == "GET"
                => ReplayCase.Receives(async b => One((await Tracking(b).GetLoggedModelAsync(rpc["logged-models/".Length..])).Native, e, "model")),
            _ when rpc.StartsWith("logged-models/", StringComparison.Ordinal) && e.Method == "PATCH"
                => ReplayCase.Receives(async b => One((await Tracking(b).FinalizeLoggedModelAsync(rpc["logged-models/".Length..], MLflowLoggedModelStatus.Ready)).Native, e, "model")),
            "registered-models/create" => ReplayCase.Receives(async b => One(await b.Models.CreateModelAsync(Body(e, "name")!), e, "registered_model")),
            "registered-models/get" => ReplayCase.Receives(async b => One(await b.Models.GetModelAsync(Query(e, "name")), e, "registered_model")),
            "registered-models/search" => ReplayCase.Receives(async b =>
            {
                var page = await OperationReplay.FirstPageAsync(b.Models.ListModelsAsync(new ModelQuery { PageSize = Int(e, "max_results") }), e.Query.FirstOrDefault(q => q.Key == "page_token").Value);
                page.ContinuationToken.Should().Be(Response(e, "next_page_token"));
                return OperationReplay.Pairs(page.Values.Select(m => m.Native), e.ResponseBody?["registered_models"]);
            }),
            "registered-models/set-tag" => ReplayCase.Receives(b => b.Models.SetModelTagAsync(Body(e, "name")!, Body(e, "key")!, Body(e, "value")!)),
            "registered-models/delete-tag" => ReplayCase.Receives(b => b.Models.DeleteModelTagAsync(Body(e, "name")!, Body(e, "key")!)),
            "registered-models/rename" => ReplayCase.Receives(async b => One(await b.Models.RenameModelAsync(Body(e, "name")!, Body(e, "new_name")!), e, "registered_model")),
            "registered-models/alias" when e.Method == "POST" => ReplayCase.Receives(b => b.Models.SetAliasAsync(Body(e, "name")!, Body(e, "alias")!, Body(e, "version")!)),
            "registered-models/alias" when e.Method == "GET" => ReplayCase.Receives(async b => One(await b.Models.GetVersionByAliasAsync(Query(e, "name"), Query(e, "alias")), e, "model_version")),
            "registered-models/alias" => ReplayCase.Receives(b => b.Models.DeleteAliasAsync(Body(e, "name")!, Body(e, "alias")!)),
            "model-versions/create" => ReplayCase.Receives(async b => One(await b.Models.CreateVersionAsync(Body(e, "name")!,
                new ModelVersionCreateOptions { Source = Body(e, "source")!, Run = Body(e, "run_id") is { } run ? new RunRef(run) : (RunRef?)null }), e, "model_version")),
            "model-versions/get" => ReplayCase.Receives(async b => One(await b.Models.GetVersionAsync(Query(e, "name"), Query(e, "version")), e, "model_version")),
            "model-versions/update" => ReplayCase.Receives(async b => One(await b.Models.UpdateVersionAsync(Body(e, "name")!, Body(e, "version")!,
                new ModelUpdate { Description = Body(e, "description") }), e, "model_version")),
            "model-versions/set-tag" => ReplayCase.Receives(b => b.Models.SetVersionTagAsync(Body(e, "name")!, Body(e, "version")!, Body(e, "key")!, Body(e, "value")!)),
            "model-versions/transition-stage" => ReplayCase.Receives(async b => One(await b.Models.TransitionStageAsync(Body(e, "name")!, Body(e, "version")!, Body(e, "stage")!,
                e.RequestBody?["archive_existing_versions"]?.GetValue<bool>() ?? false), e, "model_version")),
            "model-versions/search" => ReplayCase.Receives(async b =>
            {
                var page = await OperationReplay.FirstPageAsync(b.Models.ListVersionsAsync("eddrcm-rm-main", new ModelVersionQuery { PageSize = Int(e, "max_results") }),
                    e.Query.FirstOrDefault(q => q.Key == "page_token").Value);
                page.ContinuationToken.Should().Be(Response(e, "next_page_token"));
                return OperationReplay.Pairs(page.Values.Select(v => v.Native), e.ResponseBody?["model_versions"]);
            }),
            "model-versions/get-download-uri" => ReplayCase.Receives(async b => (await Tracking(b).GetModelVersionDownloadUriAsync(Query(e, "name"), Query(e, "version")))
                .Should().Be(Response(e, "artifact_uri"))),
            "model-versions/delete" => ReplayCase.Receives(b => b.Models.DeleteVersionAsync(Body(e, "name")!, Body(e, "version")!)),
            _ => throw new InvalidOperationException($"No case for {e}: classify it (an operation, or a reason no operation calls it)."),
        };
    }

    /// <summary>Proxied artifact uploads and downloads of a run: <c>{exp}/{run}/artifacts/{path}</c>.</summary>
    private static ReplayCase ArtifactCase(RecordedExchange e)
    {
        var parts = e.Path["/api/2.0/mlflow-artifacts/artifacts/".Length..].Split('/', 4);
        var (run, path) = (parts[1], parts[3]);
        return e.Method == "PUT"
            ? ReplayCase.Receives(b => b.Runs.UploadArtifactAsync(run, path, new MemoryStream(Encoding.UTF8.GetBytes("replayed"))))
            : ReplayCase.Receives(async b =>
            {
                await using var stream = await b.Runs.DownloadArtifactAsync(run, path);
                (await new StreamReader(stream).ReadToEndAsync()).Should().Be(e.ResponseText);
            });
    }

    /// <summary>The exception each recorded error must become (DESIGN.md §2 "errors" and docs/mlflow.md).</summary>
    private static ErrorExpectation Expected(RecordedExchange e)
    {
        var code = (e.ResponseBody as JsonObject)?["error_code"]?.GetValue<string>();
        var message = (e.ResponseBody as JsonObject)?["message"]?.GetValue<string>();
        var sentence = message?.Split('\n')[0].Split(" Error:")[0].TrimEnd('.');
        string[] excluded = ["[SQL:", "/data/"];
        return (e.Id, code, e.Status) switch
        {
            ("exp-update-rename-to-existing", _, _) => new(typeof(MlopsConflictException), code, "already taken", excluded),
            ("art-download-missing", _, _) => new(typeof(MlopsNotFoundException), code, "does not exist", excluded),
            ("alias-get-unknown", _, _) => new(typeof(MlopsNotFoundException), code, sentence, excluded),
            (_, "RESOURCE_ALREADY_EXISTS", _) => new(typeof(MlopsConflictException), code, sentence, excluded),
            (_, "RESOURCE_DOES_NOT_EXIST", _) => new(typeof(MlopsNotFoundException), code, sentence, excluded),
            (_, "INVALID_PARAMETER_VALUE", _) => new(typeof(MlopsValidationException), code, sentence, excluded),
            (_, null, 405) => new(typeof(MlopsEndpointNotFoundException), null, "does not accept this HTTP method", excluded),
            (_, null, 500) => new(typeof(MlopsUnavailableException), null, "HTTP 500", excluded),
            _ => throw new InvalidOperationException($"{e}: no expectation for {code} / {e.Status}"),
        };
    }

    private static IReadOnlyList<NativePair> One(Experiment x, RecordedExchange e, string member) => [new(x.Native, e.ResponseBody![member])];

    private static IReadOnlyList<NativePair> One(Run x, RecordedExchange e, string member) => [new(x.Native, e.ResponseBody![member])];

    private static IReadOnlyList<NativePair> One(RegisteredModel x, RecordedExchange e, string member) => [new(x.Native, e.ResponseBody![member])];

    private static IReadOnlyList<NativePair> One(ModelVersion x, RecordedExchange e, string member) => [new(x.Native, e.ResponseBody![member])];

    private static IReadOnlyList<NativePair> One(System.Text.Json.JsonElement? native, RecordedExchange e, string member) => [new(native, e.ResponseBody![member])];

    private static string Query(RecordedExchange e, string key) => e.Query.First(q => q.Key == key).Value;

    private static string? Body(RecordedExchange e, string key) => (e.RequestBody as JsonObject)?[key] is JsonValue v ? v.ToString() : null;

    private static int? Int(RecordedExchange e, string key)
        => (e.RequestBody as JsonObject)?[key]?.GetValue<int>() ?? (e.Query.FirstOrDefault(q => q.Key == key).Value is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : null);

    private static Dictionary<string, string>? Pairs(RecordedExchange e, string key)
        => (e.RequestBody as JsonObject)?[key] is JsonArray a ? a.ToDictionary(p => p!["key"]!.GetValue<string>(), p => p!["value"]!.GetValue<string>()) : null;

    private static string? Response(RecordedExchange e, string key) => (e.ResponseBody as JsonObject)?[key]?.GetValue<string>();

    private static IEnumerable<T> Response<T>(RecordedExchange e, string key, Func<JsonNode, T> select)
        => ((e.ResponseBody as JsonObject)?[key] as JsonArray ?? []).Select(n => select(n!));

    private static JsonArray Files(RecordedExchange e) => (e.ResponseBody as JsonObject)?["files"] as JsonArray ?? [];
}
