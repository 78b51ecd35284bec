using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MlopsGateway.MLflow.Tests.Fake;

/// <summary>
/// A stateful, in-process MLflow tracking server (tracking API, artifact proxy, model registry) hosted by <see cref="FakeServer"/> (WireMock.Net)
/// at 127.0.0.1:0, speaking 2.17.2 by default and 3.x (as recorded from 3.11) when <see cref="Version"/> says so.
/// Built from the digest and the recordings with raw <see cref="JsonNode"/> — never the adapter's DTOs
/// (DESIGN.md §5.4) — and reproducing the real server's wire behaviour: error bodies and codes, omitted empty
/// lists, base64 offset page tokens, batch and length limits, silent truncation of long param/tag values,
/// HTML 404/405, the 500 (2.x) or 404 (3.x) for a missing artifact and the 400 for an unknown alias. 3.x adds
/// logged models, run outputs, paged metric history, experiment-tag delete and <c>server-info</c>; traces and
/// the OTLP endpoint are not served.
/// </summary>
internal sealed partial class MLflowFake : IAsyncDisposable
{
    private const string Api = "/api/2.0/mlflow/";
    private const string Ajax = "/ajax-api/2.0/mlflow/";
    private const string Proxy = "/api/2.0/mlflow-artifacts/";
    private const string Html404 = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";
    private const string Html405 = "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n";
    private const string Html500 = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n";
    private const string MissingSuffix = ". See the API docs for more information about request parameters.";

    private readonly object _gate = new();
    private readonly Dictionary<string, (string[] Methods, Func<Req, Reply> Handler)> _routes = new(StringComparer.Ordinal);
    private readonly List<FakeExperiment> _experiments = [];
    private readonly Dictionary<string, FakeRun> _runs = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, byte[]> _artifacts = new(StringComparer.Ordinal);
    private readonly List<FakeModel> _models = [];
    private int _nextExperiment;
    private long _clock = 1_795_323_900_000;
    private FakeServer _server = null!;

    private MLflowFake()
    {
        _experiments.Add(new FakeExperiment("0", "Default", Now()));
        _nextExperiment = 1;
        MapRoutes();
    }

    /// <summary>Run ids the next run creations use, in order (lets a replay reproduce recorded ids); random when empty.</summary>
    public Queue<string> PinnedRunIds { get; } = new();

    /// <summary>The id the next created experiment gets (ids are sequential, as in the SQL store).</summary>
    public int NextExperimentId
    {
        get { lock (_gate) { return _nextExperiment; } }
        set { lock (_gate) { _nextExperiment = value; } }
    }

    /// <summary>The server version <c>/version</c> answers; 3.x behaviour (recorded from 3.11) follows it.</summary>
    public string Version { get; set; } = "2.17.2";

    /// <summary>Whether the fake speaks MLflow 3 (paged history, logged models, run outputs, 404 for a missing artifact).</summary>
    private bool V3 => ServerVersion.Major >= 3;

    /// <summary><see cref="Version"/> as numbers (a <c>.devN</c> suffix dropped).</summary>
    private Version ServerVersion => System.Version.Parse(string.Join('.', Version.Split('.').Take(3).Select(p => new string(p.TakeWhile(char.IsAsciiDigit).ToArray()))));

    /// <summary>When set, answers every request with this status instead (fault injection); null to serve normally.</summary>
    public Func<FakeRequest, (int Status, string Body, string ContentType)?>? Intercept { get; set; }

    public Uri BaseUri => _server.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _server.Requests;

    public void ClearRequests() => _server.ClearRequests();

    /// <summary>Requests to MLflow API paths (not /version or /health).</summary>
    public IReadOnlyList<RecordedRequest> ApiRequests => Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();

    /// <summary>The WireMock-hosted server, for fault mappings layered over the fake (they take precedence).</summary>
    public FakeServer Server => _server;

    public static Task<MLflowFake> StartAsync()
    {
        var fake = new MLflowFake();
        fake._server = FakeServer.Start().Fallback(fake.Handle);
        return Task.FromResult(fake);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>The metric history as stored (NaN, ±double.MaxValue for infinities).</summary>
    public IReadOnlyList<(string Key, double Value, long Timestamp, long Step)> History(string runId)
    {
        lock (_gate)
        {
            return _runs[runId].History.Select(m => (m.Key, m.Value, m.Timestamp, m.Step)).ToList();
        }
    }

    public byte[]? Artifact(string proxyPath)
    {
        lock (_gate)
        {
            return _artifacts.TryGetValue(proxyPath, out var bytes) ? bytes : null;
        }
    }

    public void PutArtifact(string proxyPath, byte[] bytes)
    {
        lock (_gate)
        {
            _artifacts[proxyPath] = bytes;
        }
    }

    private long Now() => Interlocked.Increment(ref _clock);

    // ------------------------------------------------------------------ dispatch

    /// <summary>Answers one request as the fake does; a route layered over it (fault injection) calls it to act on a request.</summary>
    /// <param name="request">The request.</param>
    public FakeResponse Handle(FakeRequest request)
    {
        if (Intercept?.Invoke(request) is { } injected)
        {
            return FakeResponse.Text(injected.Status, injected.Body, injected.ContentType);
        }
        Reply reply;
        try
        {
            reply = Dispatch(request, request.Path, request.RawTarget);
        }
        catch (FakeBadRequest bad)
        {
            reply = Error(400, "INVALID_PARAMETER_VALUE", bad.Message);
        }
        catch (FakeNotFound missing)
        {
            reply = Error(404, "RESOURCE_DOES_NOT_EXIST", missing.Message);
        }
        var response = FakeResponse.Bytes(reply.Status, reply.Bytes, reply.ContentType);
        if (reply.Allow is not null)
        {
            response = response.WithHeader("Allow", reply.Allow);
        }
        if (reply.Disposition is not null)
        {
            response = response.WithHeader("Content-Disposition", reply.Disposition).WithHeader("X-Content-Type-Options", "nosniff");
        }
        return response;
    }

    private Reply Dispatch(FakeRequest http, string path, string rawPath)
    {
        var method = http.Method;
        if (path == "/version" && method == "GET")
        {
            return Reply.Text(200, Version, "text/html; charset=utf-8");
        }
        if (path == "/health" && method == "GET")
        {
            return Reply.Text(200, "OK", "text/html; charset=utf-8");
        }
        if (path == "/api/3.0/mlflow/server-info" && method == "GET" && V3)
        {
            return Ok(new JsonObject { ["store_type"] = "SqlStore", ["workspaces_enabled"] = false });
        }
        if (path.StartsWith(Proxy, StringComparison.Ordinal))
        {
            return ServeProxy(http, method, path[Proxy.Length..], rawPath);
        }
        string? rpc = path.StartsWith(Api, StringComparison.Ordinal) ? path[Api.Length..]
            : path.StartsWith(Ajax, StringComparison.Ordinal) ? path[Ajax.Length..] : null;
        string? pathId = null;
        string? pathKey = null;
        if (rpc is not null && rpc.StartsWith(LoggedModelsRpc, StringComparison.Ordinal))
        {
            if (!ServesLoggedModels)
            {
                return Reply.Text(404, Html404, "text/html; charset=utf-8");
            }
            (rpc, pathId, pathKey) = LoggedModelRoute(rpc, method);
        }
        if (rpc is "experiments/delete-experiment-tag" or "runs/outputs" && !V3)
        {
            return Reply.Text(404, Html404, "text/html; charset=utf-8");
        }
        if (rpc is null || !_routes.TryGetValue(rpc, out var route))
        {
            return Reply.Text(404, Html404, "text/html; charset=utf-8");
        }
        if (!route.Methods.Contains(method))
        {
            return Reply.Text(405, Html405, "text/html; charset=utf-8") with { Allow = string.Join(", ", route.Methods.Append("OPTIONS")) };
        }
        var request = Req.Read(http, pathId, pathKey);
        if (method is "POST" or "PUT")
        {
            var type = http.Header("Content-Type");
            if (string.IsNullOrEmpty(type))
            {
                return Error(400, "INVALID_PARAMETER_VALUE", "Bad Request. Content-Type header is missing.");
            }
            if (!type.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return Error(400, "INVALID_PARAMETER_VALUE", "Bad Request. Content-Type must be one of ['application/json'].");
            }
        }
        lock (_gate)
        {
            return route.Handler(request);
        }
    }

    private void Map(string rpc, string[] methods, Func<Req, Reply> handler) => _routes[rpc] = (methods, handler);

    private static readonly string[] Post = ["POST"];
    private static readonly string[] Get = ["GET"];
    private static readonly string[] GetPost = ["GET", "POST"];
    private static readonly string[] Patch = ["PATCH"];
    private static readonly string[] Delete = ["DELETE"];

    private void MapRoutes()
    {
        Map("experiments/create", Post, CreateExperiment);
        Map("experiments/get", Get, r => ExperimentReply(FindExperiment(r.Required("experiment_id"))));
        Map("experiments/get-by-name", Get, GetExperimentByName);
        Map("experiments/search", GetPost, SearchExperiments);
        Map("experiments/update", Post, UpdateExperiment);
        Map("experiments/delete", Post, r => SetExperimentStage(r, from: "active", to: "deleted"));
        Map("experiments/restore", Post, r => SetExperimentStage(r, from: "deleted", to: "active"));
        Map("experiments/set-experiment-tag", Post, SetExperimentTag);
        Map("experiments/delete-experiment-tag", Post, DeleteExperimentTag);
        Map("runs/create", Post, CreateRun);
        Map("runs/get", Get, r => Ok(new JsonObject { ["run"] = RunJson(FindRun(r.Str("run_id") ?? r.Required("run_uuid")), withInputs: true) }));
        Map("runs/update", Post, UpdateRun);
        Map("runs/delete", Post, r => { FindRun(r.Required("run_id")).Lifecycle = "deleted"; return Ok(); });
        Map("runs/restore", Post, r => { FindRun(r.Required("run_id")).Lifecycle = "active"; return Ok(); });
        Map("runs/search", Post, SearchRuns);
        Map("runs/log-batch", Post, LogBatch);
        Map("runs/log-metric", Post, LogMetric);
        Map("runs/log-parameter", Post, LogParameter);
        Map("runs/set-tag", Post, SetRunTag);
        Map("runs/delete-tag", Post, DeleteRunTag);
        Map("runs/log-inputs", Post, LogInputs);
        Map("runs/outputs", Post, LogOutputs);
        Map("runs/log-model", Post, r => { FindRun(r.Required("run_id")).Tags.Set("mlflow.log-model.history", "[" + r.Str("model_json") + "]"); return Ok(); });
        Map("metrics/get-history", Get, GetHistory);
        Map("metrics/get-history-bulk-interval", Get, GetHistoryBulkInterval);
        Map("metrics/get-history-bulk", Get, GetHistoryBulkInterval);
        Map("artifacts/list", Get, ListTrackingArtifacts);
        Map("registered-models/create", Post, CreateModel);
        Map("registered-models/get", Get, r => ModelReply(FindModel(r.Required("name"))));
        Map("registered-models/search", Get, SearchModels);
        Map("registered-models/rename", Post, RenameModel);
        Map("registered-models/update", Patch, r => { var m = FindModel(r.Required("name")); m.Description = r.Str("description") ?? ""; m.Updated = Now(); return ModelReply(m); });
        Map("registered-models/delete", Delete, r => { _models.Remove(FindModel(r.Required("name"))); return Ok(); });
        Map("registered-models/set-tag", Post, SetModelTag);
        Map("registered-models/delete-tag", Delete, r => { FindModel(r.Required("name")).Tags.Remove(r.Required("key")); return Ok(); });
        Map("registered-models/get-latest-versions", GetPost, LatestVersions);
        Map("registered-models/alias", ["GET", "POST", "DELETE"], Alias);
        Map("model-versions/create", Post, CreateVersion);
        Map("model-versions/get", Get, r => VersionReply(FindVersion(r.Required("name"), r.Required("version"))));
        Map("model-versions/search", Get, SearchVersions);
        Map("model-versions/update", Patch, r => { var v = FindVersion(r.Required("name"), r.Required("version")); v.Description = r.Str("description") ?? ""; v.Updated = Now(); return VersionReply(v); });
        Map("model-versions/delete", Delete, r => { var v = FindVersion(r.Required("name"), r.Required("version")); v.Model.Versions.Remove(v); return Ok(); });
        Map("model-versions/transition-stage", Post, TransitionStage);
        Map("model-versions/set-tag", Post, r => { var v = FindVersion(r.Required("name"), r.Required("version")); v.Tags.Set(r.Required("key"), CheckRegistryTag(r.Required("value"), "Model version")); return Ok(); });
        Map("model-versions/delete-tag", Delete, r => { FindVersion(r.Required("name"), r.Required("version")).Tags.Remove(r.Required("key")); return Ok(); });
        Map("model-versions/get-download-uri", Get, DownloadUri);
        MapLoggedModelRoutes();
    }

    // ------------------------------------------------------------------ experiments

    private Reply CreateExperiment(Req r)
    {
        var name = r.Required("name");
        if (name.Length > 500)
        {
            throw new FakeBadRequest("'name' exceeds the maximum length of 500 characters");
        }
        if (_experiments.Any(e => e.Name == name))
        {
            return Error(400, "RESOURCE_ALREADY_EXISTS", $"Experiment(name={name}) already exists. Error: (raised as a result of Query-invoked autoflush; consider using a session.no_autoflush block if this flush is occurring prematurely)\n(sqlite3.IntegrityError) UNIQUE constraint failed: experiments.name");
        }
        var id = (_nextExperiment++).ToString(CultureInfo.InvariantCulture);
        var experiment = new FakeExperiment(id, name, Now())
        {
            ArtifactLocation = r.Str("artifact_location") is { Length: > 0 } location ? location : $"mlflow-artifacts:/{id}",
        };
        foreach (var (key, value) in r.Pairs("tags"))
        {
            experiment.Tags.Set(key, value);
        }
        _experiments.Add(experiment);
        return Ok(new JsonObject { ["experiment_id"] = id });
    }

    private FakeExperiment FindExperiment(string id)
        => _experiments.FirstOrDefault(e => e.Id == id) ?? throw new FakeNotFound($"No Experiment with id={id} exists");

    private Reply GetExperimentByName(Req r)
    {
        var name = r.Required("experiment_name");
        var experiment = _experiments.FirstOrDefault(e => e.Name == name)
            ?? throw new FakeNotFound($"Could not find experiment with name '{name}'");
        return ExperimentReply(experiment);
    }

    private static Reply ExperimentReply(FakeExperiment e) => Ok(new JsonObject { ["experiment"] = e.ToJson() });

    private Reply SearchExperiments(Req r)
    {
        var max = r.Long("max_results") ?? 0;
        if (max <= 0)
        {
            throw new FakeBadRequest($"Invalid value {max} for parameter 'max_results' supplied. It must be a positive integer");
        }
        if (max > 50000)
        {
            throw new FakeBadRequest($"Invalid value {max} for parameter 'max_results' supplied. It must be at most 50000");
        }
        var clauses = FakeFilter.Parse(r.Str("filter"), "Invalid clause(s) in filter string: OR");
        var view = r.Str("view_type") ?? "ACTIVE_ONLY";
        IEnumerable<FakeExperiment> hits = _experiments.Where(e => ViewMatches(view, e.Lifecycle))
            .Where(e => clauses.All(c => FakeFilter.Matches(c, c.Entity == "tag" ? e.Tags.Get(c.Key) : c.Key switch
            {
                "name" => e.Name,
                "creation_time" => (double)e.Created,
                "last_update_time" => (double)e.Updated,
                _ => throw new FakeBadRequest($"Invalid attribute key '{c.Key}' specified."),
            })));
        var order = r.List("order_by");
        hits = order.Count == 0
            ? hits.OrderByDescending(e => e.Created).ThenBy(e => e.Id, StringComparer.Ordinal)
            : Sort(hits, order, (e, field) => field switch
            {
                "name" => e.Name,
                "experiment_id" => long.Parse(e.Id, CultureInfo.InvariantCulture),
                "creation_time" => e.Created,
                "last_update_time" => e.Updated,
                _ => throw new FakeBadRequest($"Invalid order_by clause '{field}'."),
            });
        return Page(hits.ToList(), r.Str("page_token"), (int)max, "experiments", e => e.ToJson());
    }

    private Reply UpdateExperiment(Req r)
    {
        var experiment = FindExperiment(r.Required("experiment_id"));
        if (r.Str("new_name") is { Length: > 0 } newName)
        {
            if (_experiments.Any(e => e.Name == newName && e != experiment))
            {
                return Error(400, "BAD_REQUEST", $"(sqlite3.IntegrityError) UNIQUE constraint failed: experiments.name\n[SQL: UPDATE experiments SET name=?, last_update_time=? WHERE experiments.experiment_id = ?]\n[parameters: ('{newName}', {Now()}, {experiment.Id})]");
            }
            experiment.Name = newName;
            experiment.Updated = Now();
        }
        return Ok();
    }

    private Reply SetExperimentStage(Req r, string from, string to)
    {
        var id = r.Required("experiment_id");
        var experiment = _experiments.FirstOrDefault(e => e.Id == id && e.Lifecycle == from)
            ?? throw new FakeNotFound($"No Experiment with id={id} exists");
        experiment.Lifecycle = to;
        experiment.Updated = Now();
        if (to == "deleted")
        {
            foreach (var run in _runs.Values.Where(x => x.ExperimentId == id))
            {
                run.Lifecycle = "deleted";
            }
        }
        return Ok();
    }

    private Reply SetExperimentTag(Req r)
    {
        var experiment = FindExperiment(r.Required("experiment_id"));
        var key = r.Required("key");
        var value = r.Required("value");
        CheckKey("Tag key", key);
        if (value.Length > 5000)
        {
            throw new FakeBadRequest($"Tag value '{value}' had length {value.Length}, which exceeded length limit of 5000");
        }
        experiment.Tags.Set(key, value);
        return Ok();
    }

    private Reply DeleteExperimentTag(Req r)
    {
        var experiment = FindExperiment(r.Required("experiment_id"));
        var key = r.Required("key");
        if (!experiment.Tags.Remove(key))
        {
            throw new FakeNotFound($"No tag with name: {key} in experiment with id {experiment.Id}");
        }
        return Ok();
    }

    // ------------------------------------------------------------------ runs

    private Reply CreateRun(Req r)
    {
        var experiment = FindExperiment(r.Str("experiment_id") ?? "0");
        var id = PinnedRunIds.Count > 0 ? PinnedRunIds.Dequeue() : Guid.NewGuid().ToString("N");
        var name = r.Str("run_name") is { Length: > 0 } given ? given : $"fake-run-{_runs.Count}";
        var run = new FakeRun(id, experiment.Id, name)
        {
            UserId = r.Str("user_id") ?? "",
            StartTime = r.Long("start_time") ?? 0,
            ArtifactUri = experiment.ArtifactLocation + "/" + id + "/artifacts",
        };
        foreach (var (key, value) in r.Pairs("tags"))
        {
            CheckKey("Tag key", key);
            run.Tags.Set(key, Truncate(value, 8000));
        }
        run.Tags.Set("mlflow.runName", name);
        _runs[id] = run;
        return Ok(new JsonObject { ["run"] = RunJson(run, withInputs: false) });
    }

    private FakeRun FindRun(string id)
        => _runs.TryGetValue(id, out var run) ? run : throw new FakeNotFound($"Run with id={id} not found");

    private Reply UpdateRun(Req r)
    {
        var run = FindRun(r.Required("run_id"));
        var status = r.Raw("status");
        if (status is not null)
        {
            // Names or proto numbers; anything else is ignored, as the real server does.
            var name = status.GetValueKind() == JsonValueKind.Number
                ? status.GetValue<int>() switch { 1 => "RUNNING", 2 => "SCHEDULED", 3 => "FINISHED", 4 => "FAILED", 5 => "KILLED", _ => null }
                : status.ToString();
            if (name is "RUNNING" or "SCHEDULED" or "FINISHED" or "FAILED" or "KILLED")
            {
                run.Status = name;
            }
        }
        if (r.Long("end_time") is { } end)
        {
            run.EndTime = end;
        }
        if (r.Str("run_name") is { Length: > 0 } newName)
        {
            run.Name = newName;
            run.Tags.Set("mlflow.runName", newName);
        }
        return Ok(new JsonObject { ["run_info"] = InfoJson(run) });
    }

    private Reply SearchRuns(Req r)
    {
        var max = r.Raw("max_results");
        long size = 1000;
        if (max is not null)
        {
            if (max.GetValueKind() != JsonValueKind.Number)
            {
                throw new FakeBadRequest($"Invalid value \"{max}\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'" + MissingSuffix);
            }
            size = max.GetValue<long>();
            if (size > 50000 || size < 0)
            {
                throw new FakeBadRequest($"Invalid value {size} for parameter 'max_results' supplied:  Hint: Value was of type 'int'" + MissingSuffix);
            }
        }
        var ids = r.List("experiment_ids");
        var view = r.Str("run_view_type") ?? "ACTIVE_ONLY";
        var clauses = FakeFilter.Parse(r.Str("filter"), "Invalid clause(s) in filter string: 'OR'");
        var order = r.List("order_by");
        foreach (var o in order)
        {
            RunSortKey(o);
        }
        IEnumerable<FakeRun> hits = _runs.Values.Where(x => ids.Contains(x.ExperimentId) && ViewMatches(view, x.Lifecycle))
            .Where(x => clauses.All(c => FakeFilter.Matches(c, RunValue(x, c))));
        hits = order.Count == 0
            ? hits.OrderByDescending(x => x.StartTime).ThenBy(x => x.Id, StringComparer.Ordinal)
            : Sort(hits, order.Select(RunSortKey).ToList(), RunSortValue);
        return Page(hits.ToList(), r.Str("page_token"), (int)size, "runs", x => RunJson(x, withInputs: true));
    }

    private static string RunSortKey(string clause)
    {
        var parts = clause.Trim().Split(' ', 2);
        var ident = parts[0];
        var dot = ident.IndexOf('.', StringComparison.Ordinal);
        var entity = dot < 0 ? "attribute" : ident[..dot].ToLowerInvariant();
        if (entity is not ("metric" or "metrics" or "param" or "params" or "parameter" or "tag" or "tags" or "attribute" or "attributes" or "attr" or "run" or "dataset" or "datasets"))
        {
            throw new FakeBadRequest($"Invalid entity type '{entity}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']");
        }
        return clause;
    }

    private static object? RunSortValue(FakeRun run, string field)
    {
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        var entity = dot < 0 ? "attribute" : field[..dot].ToLowerInvariant();
        var key = FakeFilter.Unquote(dot < 0 ? field : field[(dot + 1)..]);
        return RunValue(run, new FilterClause(entity switch
        {
            "metrics" or "metric" => "metric",
            "params" or "param" or "parameter" => "param",
            "tags" or "tag" => "tag",
            _ => "attribute",
        }, key, "=", null));
    }

    private static object? RunValue(FakeRun run, FilterClause clause) => clause.Entity switch
    {
        "metric" => run.Latest(clause.Key)?.Value,
        "param" => run.Params.Get(clause.Key),
        "tag" => run.Tags.Get(clause.Key),
        "dataset" => run.Datasets.Select(d => d["dataset"]?[clause.Key]?.ToString()).FirstOrDefault(v => v is not null && FakeFilter.Matches(clause, v)) ?? run.Datasets.Select(d => d["dataset"]?[clause.Key]?.ToString()).FirstOrDefault(),
        _ => clause.Key switch
        {
            "run_id" => run.Id,
            "run_name" or "run name" or "`run name`" => run.Name,
            "status" => run.Status,
            "user_id" => run.UserId,
            "artifact_uri" => run.ArtifactUri,
            "start_time" or "created" => (double)run.StartTime,
            "end_time" => run.EndTime is { } e ? (double)e : null,
            _ => throw new FakeBadRequest($"Invalid attribute key '{clause.Key}' specified. Valid keys are '['run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time']'"),
        },
    };

    private Reply LogBatch(Req r)
    {
        if (r.MalformedJson && V3)
        {
            // 3.11 answers a log-batch body it cannot parse with Flask's HTML 500 page.
            return Reply.Text(500, Html500, "text/html; charset=utf-8");
        }
        var run = FindRun(r.Required("run_id"));
        var metrics = r.Array("metrics");
        var parameters = r.Array("params");
        var tags = r.Array("tags");
        CheckCount(metrics.Count, 1000, "metrics");
        CheckCount(parameters.Count, 100, "params");
        CheckCount(tags.Count, 100, "tags");
        if (metrics.Count + parameters.Count + tags.Count > 1000)
        {
            throw new FakeBadRequest($"A batch logging request can contain at most 1000 metrics, params, and tags. Got {metrics.Count + parameters.Count + tags.Count} items. Please split up across multiple requests and try again.");
        }
        var parsedMetrics = metrics.Select(m => ParseMetric(m!.AsObject())).ToList();
        var parsedParams = parameters.Select(p => (Key: Req.Field(p, "key") ?? "", Value: Req.Field(p, "value") ?? "")).ToList();
        var duplicates = parsedParams.GroupBy(p => p.Key).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'").ToList();
        if (duplicates.Count > 0)
        {
            throw new FakeBadRequest($"Duplicate parameter keys have been submitted: [{string.Join(", ", duplicates)}]. Please ensure the request contains only one param value per param key.");
        }
        foreach (var (key, _) in parsedParams)
        {
            CheckKey("Param key", key);
        }
        var parsedTags = tags.Select(t => (Key: Req.Field(t, "key") ?? "", Value: Req.Field(t, "value") ?? "")).ToList();
        foreach (var (key, _) in parsedTags)
        {
            CheckKey("Tag key", key);
        }
        foreach (var (key, value) in parsedParams)
        {
            PutParam(run, key, value);
        }
        run.History.AddRange(parsedMetrics);
        foreach (var (metric, json) in parsedMetrics.Zip(metrics))
        {
            // 3.x: a point with model_id also shows in that logged model's data.metrics (with run and dataset fields).
            if (Req.Field(json, "model_id") is { } modelId && _loggedModels.FirstOrDefault(m => m.Id == modelId) is { } model)
            {
                var point = metric.ToJson(null);
                foreach (var field in new[] { "dataset_name", "dataset_digest" })
                {
                    if (Req.Field(json, field) is { } value)
                    {
                        point[field] = value;
                    }
                }
                point["model_id"] = modelId;
                point["run_id"] = run.Id;
                model.Metrics.Add(point);
            }
        }
        foreach (var (key, value) in parsedTags)
        {
            run.Tags.Set(key, Truncate(value, 8000));
        }
        return Ok();
    }

    private static void CheckCount(int count, int max, string what)
    {
        if (count > max)
        {
            throw new FakeBadRequest($"A batch logging request can contain at most {max} {what}. Got {count} {what}. Please split up {what} across multiple requests and try again.");
        }
    }

    private static FakeMetric ParseMetric(JsonObject m)
    {
        var key = Req.Field(m, "key") ?? throw new FakeBadRequest("Missing value for required parameter 'key'" + MissingSuffix);
        CheckKey("Metric name", key);
        var valueNode = m["value"] ?? throw new FakeBadRequest("Missing value for required parameter 'value'" + MissingSuffix);
        var value = valueNode.GetValueKind() switch
        {
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            JsonValueKind.String => valueNode.GetValue<string>() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                var s => double.Parse(s, CultureInfo.InvariantCulture),
            },
            _ => valueNode.GetValue<double>(),
        };
        // The SQL store keeps infinities as ±double.MaxValue.
        value = double.IsPositiveInfinity(value) ? double.MaxValue : double.IsNegativeInfinity(value) ? double.MinValue : value;
        var timestamp = Req.LongOf(m["timestamp"]) ?? throw new FakeBadRequest("Missing value for required parameter 'timestamp'" + MissingSuffix);
        if (timestamp < 0)
        {
            throw new FakeBadRequest($"Invalid value {timestamp} for parameter 'timestamp' supplied: metric '{key}' (value={valueNode.ToJsonString()}). Timestamp must be a nonnegative long (64-bit integer) ");
        }
        return new FakeMetric(key, value, timestamp, Req.LongOf(m["step"]) ?? 0);
    }

    private static void PutParam(FakeRun run, string key, string value)
    {
        value = Truncate(value, 6000);
        if (run.Params.Get(key) is { } existing && existing != value)
        {
            throw new FakeBadRequest($"Changing param values is not allowed. Param with key='{key}' was already logged with value='{existing}' for run ID='{run.Id}'. Attempted logging new value '{value}'.");
        }
        run.Params.Set(key, value);
    }

    private Reply LogMetric(Req r)
    {
        var run = FindRun(r.Required("run_id"));
        run.History.Add(ParseMetric(r.Body));
        return Ok();
    }

    private Reply LogParameter(Req r)
    {
        var run = FindRun(r.Required("run_id"));
        var key = r.Required("key");
        CheckKey("Param key", key);
        PutParam(run, key, r.Str("value") ?? "");
        return Ok();
    }

    private Reply SetRunTag(Req r)
    {
        var run = FindRun(r.Str("run_id") ?? r.Required("run_uuid"));
        var key = r.Required("key");
        CheckKey("Tag key", key);
        run.Tags.Set(key, Truncate(r.Str("value") ?? throw new FakeBadRequest("Missing value for required parameter 'value'" + MissingSuffix), 8000));
        if (key == "mlflow.runName")
        {
            run.Name = run.Tags.Get(key)!;
        }
        return Ok();
    }

    private Reply DeleteRunTag(Req r)
    {
        var run = FindRun(r.Required("run_id"));
        var key = r.Required("key");
        if (!run.Tags.Remove(key))
        {
            throw new FakeNotFound($"No tag with name: {key} in run with id {run.Id}");
        }
        return Ok();
    }

    private Reply LogInputs(Req r)
    {
        var run = FindRun(r.Required("run_id"));
        var datasets = r.Array("datasets");
        foreach (var input in datasets)
        {
            var dataset = input?["dataset"]?.AsObject() ?? throw new FakeBadRequest("Missing value for required parameter 'dataset'" + MissingSuffix);
            foreach (var (field, max) in new[] { ("name", 500), ("digest", 36), ("source", 65535) })
            {
                if ((Req.Field(dataset, field)?.Length ?? 0) > max)
                {
                    throw new FakeBadRequest($"'{field}' exceeds the maximum length of {max} characters");
                }
            }
        }
        foreach (var input in datasets)
        {
            run.Datasets.Add(input!.DeepClone().AsObject());
        }
        return Ok();
    }

    private Reply LogOutputs(Req r)
    {
        // 3.x links the run to logged models; unknown model ids are accepted without complaint.
        var run = FindRun(r.Required("run_id"));
        foreach (var output in r.Array("models"))
        {
            run.ModelOutputs.Add(new JsonObject { ["model_id"] = Req.Field(output, "model_id"), ["step"] = Req.LongOf(output?["step"]) ?? 0 });
        }
        return Ok();
    }

    private Reply GetHistory(Req r)
    {
        var runId = r.Required("run_id");
        var key = r.Required("metric_key");
        if (!_runs.TryGetValue(runId, out var run))
        {
            return Ok();
        }
        var points = run.History.Where(m => m.Key == key).OrderBy(m => m.Step).ThenBy(m => m.Timestamp).ToList();
        if (!V3)
        {
            // 2.17.2 ignores max_results and page_token: the whole history in one answer.
            return Ok(WithList(new JsonObject(), "metrics", points.Select(m => m.ToJson(null))));
        }
        // 3.x pages with {"offset": N} tokens; without max_results it answers no points and a token for offset 0.
        var max = r.Long("max_results");
        if (max is null or 0)
        {
            return Ok(new JsonObject { ["next_page_token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"offset\": 0}")) });
        }
        return Page(points, r.Str("page_token"), (int)max, "metrics", m => m.ToJson(null));
    }

    private Reply GetHistoryBulkInterval(Req r)
    {
        var ids = r.List("run_ids").Concat(r.List("run_id")).ToList();
        var key = r.Required("metric_key");
        var points = ids.Where(_runs.ContainsKey).SelectMany(id => _runs[id].History.Where(m => m.Key == key).Select(m => m.ToJson(id))).ToList();
        return Ok(WithList(new JsonObject(), "metrics", points));
    }

    private Reply ListTrackingArtifacts(Req r)
    {
        var run = FindRun(r.Str("run_id") ?? r.Required("run_uuid"));
        var relative = (r.Str("path") ?? "").Trim('/');
        var root = ProxyRoot(run);
        var result = new JsonObject { ["root_uri"] = run.ArtifactUri };
        if (root is null)
        {
            return Ok(result);
        }
        var files = Children(root + (relative.Length > 0 ? "/" + relative : ""))
            .Select(c => FileJson((relative.Length > 0 ? relative + "/" : "") + c.Name, c.IsDir, c.Size)).ToList();
        return Ok(WithList(result, "files", files));
    }

    private static string? ProxyRoot(FakeRun run)
        => run.ArtifactUri.StartsWith("mlflow-artifacts:/", StringComparison.Ordinal) ? run.ArtifactUri["mlflow-artifacts:/".Length..] : null;

    private List<(string Name, bool IsDir, long Size)> Children(string dir)
    {
        var prefix = dir.TrimEnd('/') + "/";
        var result = new SortedDictionary<string, (bool IsDir, long Size)>(StringComparer.Ordinal);
        foreach (var (path, bytes) in _artifacts)
        {
            if (!path.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var rest = path[prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                result[rest] = (false, bytes.LongLength);
            }
            else
            {
                result[rest[..slash]] = (true, 0);
            }
        }
        return result.Select(kv => (kv.Key, kv.Value.IsDir, kv.Value.Size)).ToList();
    }

    private static JsonObject FileJson(string path, bool isDir, long size)
    {
        var file = new JsonObject { ["path"] = path, ["is_dir"] = isDir };
        if (!isDir && size > 0)
        {
            file["file_size"] = size;
        }
        return file;
    }

    // ------------------------------------------------------------------ artifact proxy

    private Reply ServeProxy(FakeRequest http, string method, string rest, string rawPath)
    {
        if (rest.StartsWith("mpu/", StringComparison.Ordinal))
        {
            return Error(501, "NOT_IMPLEMENTED", "Multipart upload is not supported for the current artifact repository");
        }
        if (rest.StartsWith("presigned/", StringComparison.Ordinal) && V3)
        {
            return Error(501, "NOT_IMPLEMENTED", "Multipart download is not supported for the current artifact repository");
        }
        if (rest == "artifacts" && method == "GET")
        {
            var dir = http.Query("path") ?? "";
            if (!SafePath(dir))
            {
                return Error(400, "INVALID_PARAMETER_VALUE", "Invalid path");
            }
            lock (_gate)
            {
                var files = Children(dir).Select(c => FileJson(c.Name, c.IsDir, c.Size)).ToList();
                return Ok(WithList(new JsonObject(), "files", files));
            }
        }
        if (!rest.StartsWith("artifacts/", StringComparison.Ordinal))
        {
            return Reply.Text(404, Html404, "text/html; charset=utf-8");
        }
        var path = rest["artifacts/".Length..];
        if (!SafePath(path) || rawPath.Contains("..", StringComparison.Ordinal))
        {
            return Error(400, "INVALID_PARAMETER_VALUE", "Invalid path");
        }
        switch (method)
        {
            case "PUT":
                PutArtifact(path, http.BodyBytes);
                return Ok();
            case "GET":
                var bytes = Artifact(path);
                if (bytes is null && V3)
                {
                    return Error(404, "RESOURCE_DOES_NOT_EXIST", $"The following failures occurred while downloading one or more artifacts from /data/mlflow-fake/artifacts:\n##### File {path} #####\nNo such artifact: '{path}'");
                }
                if (bytes is null)
                {
                    return Error(500, "INTERNAL_ERROR", $"The following failures occurred while downloading one or more artifacts from /data/mlflow-fake/artifacts:\n##### File {path} #####\n[Errno 2] No such file or directory: '/data/mlflow-fake/artifacts/{path}'");
                }
                var name = path[(path.LastIndexOf('/') + 1)..];
                return new Reply(200, bytes, name.EndsWith(".txt", StringComparison.Ordinal) ? "text/plain" : "application/octet-stream") { Disposition = $"attachment; filename={name}" };
            case "DELETE":
                lock (_gate)
                {
                    _artifacts.Remove(path);
                }
                return Ok();
            default:
                return Reply.Text(405, Html405, "text/html; charset=utf-8") with { Allow = "DELETE, GET, OPTIONS, PUT" };
        }
    }

    private static bool SafePath(string path)
        => !path.StartsWith('/') && !path.Split('/').Any(s => s == "..") && !path.Contains('\\', StringComparison.Ordinal);

    // ------------------------------------------------------------------ registry

    private Reply CreateModel(Req r)
    {
        var name = r.Required("name");
        if (_models.Any(m => m.Name == name))
        {
            return Error(400, "RESOURCE_ALREADY_EXISTS", $"Registered Model (name={name}) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: registered_models.name");
        }
        var model = new FakeModel(name, Now()) { Description = r.Str("description") ?? "" };
        foreach (var (key, value) in r.Pairs("tags"))
        {
            model.Tags.Set(key, CheckRegistryTag(value, "Registered model"));
        }
        _models.Add(model);
        return ModelReply(model);
    }

    private FakeModel FindModel(string name)
        => _models.FirstOrDefault(m => m.Name == name) ?? throw new FakeNotFound($"Registered Model with name={name} not found");

    private static Reply ModelReply(FakeModel model) => Ok(new JsonObject { ["registered_model"] = model.ToJson() });

    private Reply SearchModels(Req r)
    {
        var max = r.Long("max_results") ?? 100;
        if (max is < 1 or > 1000)
        {
            throw new FakeBadRequest($"Invalid value \"{r.Str("max_results")}\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'" + MissingSuffix);
        }
        var clauses = FakeFilter.Parse(r.Str("filter"), "Invalid clause(s) in filter string: OR");
        IEnumerable<FakeModel> hits = _models.Where(m => clauses.All(c => FakeFilter.Matches(c, c.Entity == "tag" ? m.Tags.Get(c.Key) : c.Key == "name" ? m.Name
            : throw new FakeBadRequest($"Invalid attribute key '{c.Key}' specified."))));
        var order = r.List("order_by");
        hits = order.Count == 0 ? hits.OrderBy(m => m.Name, StringComparer.Ordinal) : Sort(hits, order, (m, field) => field switch
        {
            "name" => m.Name,
            "creation_timestamp" => m.Created,
            "last_updated_timestamp" or "timestamp" => m.Updated,
            _ => throw new FakeBadRequest($"Invalid order by key '{field}' specified."),
        });
        return Page(hits.ToList(), r.Str("page_token"), (int)max, "registered_models", m => m.ToJson(summary: true));
    }

    private Reply RenameModel(Req r)
    {
        var model = FindModel(r.Required("name"));
        var newName = r.Required("new_name");
        if (_models.Any(m => m.Name == newName))
        {
            return Error(400, "RESOURCE_ALREADY_EXISTS", $"Registered Model (name={newName}) already exists.");
        }
        model.Name = newName;
        model.Updated = Now();
        return ModelReply(model);
    }

    private Reply SetModelTag(Req r)
    {
        var model = FindModel(r.Required("name"));
        var key = r.Required("key");
        CheckKey("Registered model key", key);
        model.Tags.Set(key, CheckRegistryTag(r.Required("value"), "Registered model"));
        return Ok();
    }

    /// <summary>Registry tag values: at most 5000 characters before MLflow 3.0.1, 100 000 since (3.11 recorded accepting 5001).</summary>
    private string CheckRegistryTag(string value, string what)
    {
        var limit = ServerVersion >= new Version(3, 0, 1) ? 100_000 : 5000;
        return value.Length > limit ? throw new FakeBadRequest($"{what} value '{value}' had length {value.Length}, which exceeded length limit of {limit}") : value;
    }

    private Reply LatestVersions(Req r)
    {
        var model = FindModel(r.Required("name"));
        var stages = r.List("stages");
        var latest = model.Versions.GroupBy(v => v.Stage)
            .Where(g => stages.Count == 0 || stages.Any(s => s.Equals(g.Key, StringComparison.OrdinalIgnoreCase)))
            .Select(g => g.MaxBy(v => v.Number)!).OrderBy(v => v.Number).Select(v => v.ToJson(withAliases: false)).ToList();
        return Ok(WithList(new JsonObject(), "model_versions", latest));
    }

    private Reply CreateVersion(Req r)
    {
        var model = FindModel(r.Required("name"));
        var source = r.Required("source");
        var version = new FakeVersion(model, model.NextVersion++, Now())
        {
            Source = source,
            RunId = r.Str("run_id") ?? "",
            RunLink = r.Str("run_link") ?? "",
            Description = r.Str("description") ?? "",
        };
        foreach (var (key, value) in r.Pairs("tags"))
        {
            version.Tags.Set(key, value);
        }
        model.Versions.Add(version);
        model.Updated = version.Created;
        if (V3 && r.Str("model_id") is { } modelId && _loggedModels.FirstOrDefault(m => m.Id == modelId) is { } logged)
        {
            // 3.x records the registration on the logged model; the version does not echo model_id.
            logged.Tags.Set("mlflow.modelVersions", $"[{{\"name\": \"{model.Name}\", \"version\": \"{version.Number}\"}}]");
        }
        return Ok(new JsonObject { ["model_version"] = version.ToJson(withAliases: false) });
    }

    private FakeVersion FindVersion(string name, string version)
    {
        var model = _models.FirstOrDefault(m => m.Name == name);
        return model?.Versions.FirstOrDefault(v => v.Number.ToString(CultureInfo.InvariantCulture) == version)
            ?? throw new FakeNotFound($"Model Version (name={name}, version={version}) not found");
    }

    private static Reply VersionReply(FakeVersion version) => Ok(new JsonObject { ["model_version"] = version.ToJson(withAliases: true) });

    private Reply SearchVersions(Req r)
    {
        var max = r.Long("max_results") ?? 10000;
        if (max is < 1 or > 200000)
        {
            throw new FakeBadRequest($"Invalid value \"{r.Str("max_results")}\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'" + MissingSuffix);
        }
        var clauses = FakeFilter.Parse(r.Str("filter"), "Invalid clause(s) in filter string: OR");
        IEnumerable<FakeVersion> hits = _models.SelectMany(m => m.Versions).Where(v => clauses.All(c => FakeFilter.Matches(c, c.Entity == "tag" ? v.Tags.Get(c.Key) : c.Key switch
        {
            "name" => v.Model.Name,
            "run_id" => v.RunId,
            "source_path" => v.Source,
            "version_number" => (double)v.Number,
            _ => throw new FakeBadRequest($"Invalid attribute key '{c.Key}' specified."),
        })));
        var order = r.List("order_by");
        hits = order.Count == 0
            ? hits.OrderBy(v => v.Model.Name, StringComparer.Ordinal).ThenByDescending(v => v.Number)
            : Sort(hits, order, (v, field) => field switch
            {
                "name" => v.Model.Name,
                "version_number" => v.Number,
                "creation_timestamp" => v.Created,
                "last_updated_timestamp" => v.Updated,
                _ => throw new FakeBadRequest($"Invalid order by key '{field}' specified."),
            });
        return Page(hits.ToList(), r.Str("page_token"), (int)max, "model_versions", v => v.ToJson(withAliases: false));
    }

    private Reply TransitionStage(Req r)
    {
        var version = FindVersion(r.Required("name"), r.Required("version"));
        var requested = r.Required("stage");
        var stage = new[] { "None", "Staging", "Production", "Archived" }.FirstOrDefault(s => s.Equals(requested, StringComparison.OrdinalIgnoreCase))
            ?? throw new FakeBadRequest($"Invalid Model Version stage: {requested}. Value must be one of None, Staging, Production, Archived.");
        var archive = r.Raw("archive_existing_versions")?.GetValueKind() == JsonValueKind.True;
        var now = Now();
        if (archive && stage is "Staging" or "Production")
        {
            foreach (var other in version.Model.Versions.Where(v => v != version && v.Stage == stage))
            {
                other.Stage = "Archived";
                other.Updated = now;
            }
        }
        version.Stage = stage;
        version.Updated = now;
        return VersionReply(version);
    }

    private Reply Alias(Req r)
    {
        var model = FindModel(r.Required("name"));
        var alias = r.Required("alias");
        switch (r.Method)
        {
            case "GET":
                if (!model.Aliases.TryGetValue(alias, out var target))
                {
                    throw new FakeBadRequest($"Registered model alias {alias} not found.");
                }
                return VersionReply(FindVersion(model.Name, target));
            case "POST":
                if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase))
                {
                    throw new FakeBadRequest("'latest' alias name (case insensitive) is reserved.");
                }
                if (VersionAlias().IsMatch(alias))
                {
                    throw new FakeBadRequest($"Version alias name '{alias}' is reserved.");
                }
                var version = FindVersion(model.Name, r.Required("version"));
                model.Aliases[alias] = version.Number.ToString(CultureInfo.InvariantCulture);
                return Ok();
            default:
                model.Aliases.Remove(alias);
                return Ok();
        }
    }

    private Reply DownloadUri(Req r)
    {
        var version = FindVersion(r.Required("name"), r.Required("version"));
        var uri = version.Source;
        var match = RunsUri().Match(uri);
        if (match.Success && _runs.TryGetValue(match.Groups[1].Value, out var run))
        {
            uri = run.ArtifactUri + (match.Groups[2].Value.Length > 0 ? "/" + match.Groups[2].Value.Trim('/') : "");
        }
        else if (V3 && uri.StartsWith("models:/", StringComparison.Ordinal) && _loggedModels.FirstOrDefault(m => m.Id == uri["models:/".Length..]) is { } logged)
        {
            // 3.x: a version registered from a logged model downloads from the model's artifact location.
            uri = logged.ArtifactUri;
        }
        return Ok(new JsonObject { ["artifact_uri"] = uri });
    }

    // ------------------------------------------------------------------ helpers

    private static bool ViewMatches(string view, string lifecycle) => view switch
    {
        "ALL" or "3" => true,
        "DELETED_ONLY" or "2" => lifecycle == "deleted",
        _ => lifecycle == "active",
    };

    private static IEnumerable<T> Sort<T>(IEnumerable<T> items, IReadOnlyList<string> order, Func<T, string, object?> value)
    {
        IOrderedEnumerable<T>? sorted = null;
        foreach (var clause in order)
        {
            var parts = clause.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var field = parts[0];
            var descending = parts.Length > 1 && parts[1].Equals("DESC", StringComparison.OrdinalIgnoreCase);
            var comparer = Comparer<object?>.Create(CompareValues);
            sorted = sorted is null
                ? descending ? items.OrderByDescending(i => value(i, field), comparer) : items.OrderBy(i => value(i, field), comparer)
                : descending ? sorted.ThenByDescending(i => value(i, field), comparer) : sorted.ThenBy(i => value(i, field), comparer);
        }
        return sorted ?? items;
    }

    private static int CompareValues(object? a, object? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => 1,
        (_, null) => -1,
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
    };

    private static Reply Page<T>(List<T> items, string? token, int size, string listName, Func<T, JsonObject> toJson)
    {
        var offset = 0;
        if (!string.IsNullOrEmpty(token))
        {
            try
            {
                var json = Encoding.UTF8.GetString(Convert.FromBase64String(token));
                offset = JsonNode.Parse(json)!["offset"]!.GetValue<int>();
            }
            catch (FormatException)
            {
                throw new FakeBadRequest("Invalid page token, could not base64-decode");
            }
            catch (Exception ex) when (ex is JsonException or NullReferenceException or InvalidOperationException)
            {
                throw new FakeBadRequest("Invalid page token, could not json-decode");
            }
        }
        var page = items.Skip(offset).Take(size).Select(toJson).ToList();
        var result = WithList(new JsonObject(), listName, page);
        if (offset + size < items.Count)
        {
            result["next_page_token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"offset\": {offset + size}}}"));
        }
        return Ok(result);
    }

    internal static JsonObject WithList(JsonObject target, string name, IEnumerable<JsonNode> items)
    {
        var array = new JsonArray(items.ToArray());
        if (array.Count > 0)
        {
            target[name] = array;
        }
        return target;
    }

    private static void CheckKey(string what, string key)
    {
        if (key.Length > 250)
        {
            throw new FakeBadRequest($"{what} '{key}' had length {key.Length}, which exceeded length limit of 250");
        }
    }

    private static string Truncate(string value, int max) => value.Length > max ? value[..max] : value;

    private JsonObject RunJson(FakeRun run, bool withInputs)
    {
        var data = new JsonObject();
        WithList(data, "metrics", run.History.GroupBy(m => m.Key).Select(g => (JsonNode)run.Latest(g.Key)!.ToJson(null)));
        WithList(data, "params", run.Params.ToJson());
        WithList(data, "tags", run.Tags.ToJson());
        var json = new JsonObject { ["info"] = InfoJson(run), ["data"] = data };
        if (withInputs || V3)
        {
            json["inputs"] = WithList(new JsonObject(), "dataset_inputs", run.Datasets.Select(d => d.DeepClone()));
        }
        if (withInputs && V3)
        {
            json["outputs"] = WithList(new JsonObject(), "model_outputs", run.ModelOutputs.Select(o => o.DeepClone()));
        }
        return json;
    }

    private static JsonObject InfoJson(FakeRun run)
    {
        var info = new JsonObject
        {
            ["run_uuid"] = run.Id,
            ["experiment_id"] = run.ExperimentId,
            ["run_name"] = run.Name,
            ["user_id"] = run.UserId,
            ["status"] = run.Status,
            ["start_time"] = run.StartTime,
        };
        if (run.EndTime is { } end)
        {
            info["end_time"] = end;
        }
        info["artifact_uri"] = run.ArtifactUri;
        info["lifecycle_stage"] = run.Lifecycle;
        info["run_id"] = run.Id;
        return info;
    }

    private static Reply Ok(JsonObject? body = null) => Reply.Json(200, body ?? []);

    private static Reply Error(int status, string code, string message)
        => Reply.Json(status, new JsonObject { ["error_code"] = code, ["message"] = message });

    [GeneratedRegex(@"^[vV]\d+$")]
    private static partial Regex VersionAlias();

    [GeneratedRegex(@"^runs:/([^/]+)/?(.*)$")]
    private static partial Regex RunsUri();

    // ------------------------------------------------------------------ request / reply / state

    /// <summary>One parsed request: GET reads the query string, everything else the JSON body (malformed JSON counts as empty).</summary>
    private sealed class Req
    {
        public required string Method { get; init; }
        public required JsonObject Body { get; init; }
        public required FakeRequest Http { get; init; }

        /// <summary>The id taken from the path (logged-models/{model_id}), if the route has one.</summary>
        public string? PathId { get; init; }

        /// <summary>A second path parameter (the tag key of logged-models/{model_id}/tags/{key}).</summary>
        public string? PathKey { get; init; }

        /// <summary>Whether a body was sent that is not JSON (most handlers then read it as <c>{}</c>, as the server does).</summary>
        public bool MalformedJson { get; init; }

        public static Req Read(FakeRequest http, string? pathId, string? pathKey)
        {
            JsonObject body = [];
            var malformed = false;
            if (http.Method != "GET")
            {
                var text = http.Body;
                try
                {
                    body = JsonNode.Parse(text) as JsonObject ?? [];
                }
                catch (JsonException)
                {
                    body = [];
                    malformed = true;
                }
            }
            return new Req { Method = http.Method, Body = body, Http = http, PathId = pathId, PathKey = pathKey, MalformedJson = malformed };
        }

        private bool FromQuery => Method == "GET";

        public JsonNode? Raw(string name) => FromQuery ? (Http.QueryAll(name) is { Count: > 0 } v ? JsonValue.Create(string.Join(',', v)) : null) : Body[name];

        public string? Str(string name)
        {
            var node = Raw(name);
            return node is null ? null : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        }

        public string Required(string name)
            => Str(name) is { Length: > 0 } v ? v : throw new FakeBadRequest($"Missing value for required parameter '{name}'" + MissingSuffix);

        public long? Long(string name)
        {
            var node = Raw(name);
            if (node is null)
            {
                return null;
            }
            return LongOf(node) ?? throw new FakeBadRequest($"Invalid value \"{node}\" for parameter '{name}' supplied:  Hint: Value was of type 'str'" + MissingSuffix);
        }

        public static long? LongOf(JsonNode? node) => node?.GetValueKind() switch
        {
            JsonValueKind.Number => node.GetValue<long>(),
            JsonValueKind.String => long.TryParse(node.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null,
            _ => null,
        };

        public List<string> List(string name)
            => FromQuery ? Http.QueryAll(name).ToList()
                : Body[name] is JsonArray a ? a.Select(n => n?.ToString() ?? "").ToList() : [];

        public JsonArray Array(string name) => Body[name] as JsonArray ?? [];

        public IEnumerable<(string Key, string Value)> Pairs(string name)
            => Array(name).Select(p => (Field(p, "key") ?? "", Field(p, "value") ?? ""));

        public static string? Field(JsonNode? node, string name) => node?[name] is JsonValue v ? (v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()) : null;
    }

    private sealed record Reply(int Status, byte[] Bytes, string ContentType)
    {
        public string? Allow { get; init; }
        public string? Disposition { get; init; }

        public static Reply Text(int status, string text, string contentType) => new(status, Encoding.UTF8.GetBytes(text), contentType);

        public static Reply Json(int status, JsonObject body) => Text(status, body.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), "application/json");
    }
}

/// <summary>Thrown by fake handlers for a missing object; becomes 404 RESOURCE_DOES_NOT_EXIST.</summary>
internal sealed class FakeNotFound(string message) : Exception(message);
