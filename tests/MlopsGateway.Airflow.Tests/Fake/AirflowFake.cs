using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests.Fake;

/// <summary>Which Airflow REST dialect the fake speaks.</summary>
public enum FakeDialect
{
    /// <summary>Airflow 2.10 <c>/api/v1</c>: RFC 7807 problems, 400 for validation, basic auth answering 403 like 2.10.3.</summary>
    V1,
    /// <summary>Airflow 3 <c>/api/v2</c>: <c>{"detail": …}</c>, 422 for validation, JWT from <c>/auth/token</c>.</summary>
    V2,
}

/// <summary>Settings of an <see cref="AirflowFake"/>.</summary>
public sealed record AirflowFakeOptions
{
    /// <summary>The dialect.</summary>
    public FakeDialect Dialect { get; init; } = FakeDialect.V1;

    /// <summary>The API path prefix ("/api/v1" by default for v1, "/api/v2" for v2; "" for v1 behind Prism, which serves v1 at the root).</summary>
    public string? Prefix { get; init; }

    /// <summary>v1: required basic credentials (null: no auth). v2: the user allowed to get a token.</summary>
    public (string User, string Password)? Credentials { get; init; } = ("admin", "admin");

    /// <summary>v2: JWT lifetime.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The clock (token expiry, run dates).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Advance the scheduler one step whenever a DAG run is read (so waits finish without a background thread).</summary>
    public bool AdvanceOnRunRead { get; init; }

    /// <summary>Advance the scheduler one step whenever a single task instance is read (drives a log follower).</summary>
    public bool AdvanceOnTaskRead { get; init; }

    /// <summary>
    /// v2: the version <c>GET version</c> reports (default 3.1.0, with the shapes of the 3.2 spec). A 3.0 version makes
    /// the objects look like the recorded 3.0 server's: no fields that later releases added.
    /// </summary>
    public string? ServerVersion { get; init; }
}

/// <summary>
/// A stateful in-process Airflow (DESIGN.md §5.4): raw <see cref="JsonNode"/> state, both REST dialects,
/// <c>/auth/token</c> JWTs for v2, and a tiny scheduler the tests drive with <see cref="Tick"/>
/// (queued → running → success/failed, one task step per tick, logs growing while a task runs).
/// </summary>
public sealed partial class AirflowFake : IAsyncDisposable
{
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private byte[] _jwtKey = Encoding.UTF8.GetBytes("fake-airflow-jwt-signing-key-0123456789");
    private readonly object _gate = new();
    private readonly Dictionary<string, Dag> _dags = new(StringComparer.Ordinal);
    private readonly List<DagRun> _runs = [];
    private readonly AirflowFakeOptions _options;
    private int _tokensIssued;

    private AirflowFake(AirflowFakeOptions options) => _options = options;

    /// <summary>The WireMock-hosted server (every request in its log).</summary>
    public FakeServer Server { get; private set; } = null!;

    /// <summary>The server's root address (the backend's BaseUrl).</summary>
    public Uri BaseUri => Server.BaseUri;

    /// <summary>The API prefix in use.</summary>
    public string Prefix { get; private set; } = "";

    /// <summary>How many tokens <c>/auth/token</c> issued.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    private bool V1 => _options.Dialect == FakeDialect.V1;

    /// <summary>Airflow 3.0 shapes (as recorded): DAGs, runs and task instances without the fields 3.1 and 3.2 added.</summary>
    private bool V30 => !V1 && (_options.ServerVersion?.StartsWith("3.0", StringComparison.Ordinal) ?? false);

    private DateTimeOffset Now => _options.Clock.GetUtcNow();

    /// <summary>Starts a fake.</summary>
    public static Task<AirflowFake> StartAsync(AirflowFakeOptions? options = null)
    {
        options ??= new AirflowFakeOptions();
        var fake = new AirflowFake(options);
        fake.Prefix = options.Prefix ?? (options.Dialect == FakeDialect.V1 ? "/api/v1" : "/api/v2");
        fake.Server = FakeServer.Start();
        fake.Map(fake.Server);
        return Task.FromResult(fake);
    }

    /// <summary>
    /// Adds a DAG whose tasks run one after another; <paramref name="failingTask"/> fails when it runs. <paramref name="minimums"/>
    /// declares integer params with a minimum, which a trigger's <c>conf</c> must respect (400 otherwise, as Airflow validates the params' schema).
    /// </summary>
    public void AddDag(string dagId, string[] tasks, string[]? tags = null, bool paused = false, string? failingTask = null, string? schedule = null, string? logLine = null,
        IReadOnlyDictionary<string, int>? minimums = null)
    {
        lock (_gate)
        {
            _dags[dagId] = new Dag(dagId, tasks, tags ?? [], paused, failingTask, schedule) { LogLine = logLine, Minimums = minimums ?? new Dictionary<string, int>() };
        }
    }

    /// <summary>Whether a DAG exists.</summary>
    public bool HasDag(string dagId)
    {
        lock (_gate)
        {
            return _dags.ContainsKey(dagId);
        }
    }

    /// <summary>Runs the scheduler on one run until it is terminal; with <paramref name="succeed"/> false its next task fails.</summary>
    public void CompleteRun(string dagId, string dagRunId, bool succeed)
    {
        lock (_gate)
        {
            var run = FindRun(dagId, dagRunId) ?? throw new InvalidOperationException($"No run {dagId}/{dagRunId}.");
            run.ForceFail = !succeed;
            for (var i = 0; i < 1000 && run.State is not ("success" or "failed"); i++)
            {
                Step(run);
            }
        }
    }

    /// <summary>Advances every active run one scheduler step; returns whether anything changed.</summary>
    public bool Tick()
    {
        lock (_gate)
        {
            var changed = false;
            foreach (var run in _runs.ToList())
            {
                changed |= Step(run);
            }
            return changed;
        }
    }

    /// <summary>Ticks until no run changes any more.</summary>
    public void RunAll()
    {
        for (var i = 0; i < 1000 && Tick(); i++)
        {
        }
    }

    /// <summary>A run's state as stored, or null when absent.</summary>
    public string? RunState(string dagId, string dagRunId)
    {
        lock (_gate)
        {
            return FindRun(dagId, dagRunId)?.State;
        }
    }

    /// <summary>Adds a DAG run directly (as the scheduler would), bypassing the API.</summary>
    public void SeedRun(string dagId, string dagRunId, string state = "queued", JsonObject? conf = null)
    {
        lock (_gate)
        {
            var run = NewRun(_dags[dagId], dagRunId, conf ?? [], null, Now);
            _runs.Add(run);
            if (state != "queued")
            {
                run.State = state;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Server.DisposeAsync();

    // ---------------------------------------------------------------- scheduler

    private bool Step(DagRun run)
    {
        var dag = _dags[run.DagId];
        if (run.State is "success" or "failed" || dag.Paused)
        {
            return false;
        }
        if (run.State == "queued")
        {
            run.State = "running";
            run.StartDate = Now;
            run.EndDate = null;
            return true;
        }
        var current = run.Tasks.FirstOrDefault(t => t.State == "running");
        if (current is not null)
        {
            var fails = dag.FailingTask == current.TaskId || run.ForceFail;
            current.State = fails ? "failed" : "success";
            current.EndDate = Now;
            current.Log($"Task exited with return code {(fails ? 1 : 0)}");
            if (fails)
            {
                foreach (var rest in run.Tasks.Where(t => t.State is null or "scheduled" or "queued"))
                {
                    rest.State = "upstream_failed";
                }
            }
            return true;
        }
        var queued = run.Tasks.FirstOrDefault(t => t.State == "queued");
        if (queued is not null)
        {
            queued.State = "running";
            queued.StartDate = Now;
            queued.Log($"Starting attempt {queued.TryNumber} of {queued.TryNumber}");
            queued.Log($"Running task {queued.TaskId} with conf {run.Conf.ToJsonString(RelaxedJson)}");
            if (dag.LogLine is not null)
            {
                queued.Log(dag.LogLine);
            }
            return true;
        }
        var next = run.Tasks.FirstOrDefault(t => t.State is null);
        if (next is not null)
        {
            next.State = "queued";
            next.TryNumber++;
            next.Logs[next.TryNumber] = new StringBuilder();
            return true;
        }
        run.State = run.Tasks.Any(t => t.State is "failed" or "upstream_failed") ? "failed" : "success";
        run.EndDate = Now;
        return true;
    }

    private DagRun NewRun(Dag dag, string runId, JsonObject conf, string? note, DateTimeOffset? logicalDate)
        => new(dag.DagId, runId, conf, note, logicalDate, Now, dag.Tasks.Select(t => new TaskInst(t)).ToList());

    private DagRun? FindRun(string dagId, string runId) => _runs.FirstOrDefault(r => r.DagId == dagId && r.RunId == runId);

    // ---------------------------------------------------------------- routes

    /// <summary>Every request target exactly as sent (percent-encoding kept), in arrival order.</summary>
    public IReadOnlyList<string> RawTargets => Server.Requests.Select(r => r.RawTarget).ToArray();

    /// <summary>
    /// Answers a request before the fake does when it returns a status and JSON body (fault injection: a 503 for the
    /// first trigger); null lets the fake answer. Intercepted requests are recorded like any other.
    /// </summary>
    public Func<FakeRequest, (int Status, string Body)?>? Intercept { get; set; }

    private void Map(FakeServer server)
    {
        void Add(string method, string template, Func<FakeRequest, FakeResponse> handler)
            => server.Route(method, template, r => Intercepted(r) ?? handler(r));
        if (!V1)
        {
            Add("POST", "/auth/token", IssueToken);
        }
        var p = Prefix;
        Add("GET", p + "/version", _ => Json(200, new JsonObject { ["version"] = V1 ? "2.10.3" : _options.ServerVersion ?? "3.1.0", ["git_version"] = null }));
        Add("GET", p + "/dags", ListDags);
        Add("GET", p + "/dags/{dagId}", r => GetDag(r, r.Route("dagId")));
        Add("PATCH", p + "/dags/{dagId}", r => PatchDag(r, r.Route("dagId")));
        Add("DELETE", p + "/dags/{dagId}", r => DeleteDag(r, r.Route("dagId")));
        Add("POST", p + "/dags/{dagId}/dagRuns", r => Trigger(r, r.Route("dagId")));
        Add("GET", p + "/dags/{dagId}/dagRuns", r => ListRuns(r, r.Route("dagId")));
        Add("GET", p + "/dags/{dagId}/dagRuns/{runId}", r => GetRun(r, r.Route("dagId"), r.Route("runId")));
        Add("PATCH", p + "/dags/{dagId}/dagRuns/{runId}", r => PatchRun(r, r.Route("dagId"), r.Route("runId")));
        Add("DELETE", p + "/dags/{dagId}/dagRuns/{runId}", r => DeleteRun(r, r.Route("dagId"), r.Route("runId")));
        Add("POST", p + "/dags/{dagId}/dagRuns/{runId}/clear", r => ClearRun(r, r.Route("dagId"), r.Route("runId")));
        Add("GET", p + "/dags/{dagId}/dagRuns/{runId}/taskInstances", r => ListTasks(r, r.Route("dagId"), r.Route("runId")));
        Add("GET", p + "/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}", r => GetTask(r, r.Route("dagId"), r.Route("runId"), r.Route("taskId")));
        // Integer route values as ASP.NET bound them: a non-integer try number is a 400, a non-integer map index no route (404).
        Add("GET", p + "/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/logs/{tryNumber}", r => int.TryParse(r.Route("tryNumber"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var tryNumber)
            ? GetLog(r, r.Route("dagId"), r.Route("runId"), r.Route("taskId"), tryNumber)
            : FakeResponse.Empty(400));
        Add("GET", p + "/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/tries", r => ListTries(r, r.Route("dagId"), r.Route("runId"), r.Route("taskId"), -1));
        Add("GET", p + "/dags/{dagId}/dagRuns/{runId}/taskInstances/{taskId}/{mapIndex}/tries", r => int.TryParse(r.Route("mapIndex"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mapIndex)
            ? ListTries(r, r.Route("dagId"), r.Route("runId"), r.Route("taskId"), mapIndex)
            : FakeResponse.Empty(404));
        // What no route takes: a path another method serves is 405 (FastAPI answers it with a JSON detail), anything else an empty 404.
        server.Fallback(r => Intercepted(r) ?? (server.HasRouteFor(r.RawPath)
            ? V1 ? FakeResponse.Empty(405) : FakeResponse.JsonText(405, """{"detail":"Method Not Allowed"}""")
            : FakeResponse.Empty(404)));
    }

    private FakeResponse? Intercepted(FakeRequest request)
        => Intercept?.Invoke(request) is { } answer ? FakeResponse.JsonText(answer.Status, answer.Body) : null;

    /// <summary>A request's query read as ASP.NET's <see cref="StringValues"/> (every value of a key, in order), as the handlers were written.</summary>
    private sealed class QueryView(FakeRequest request)
    {
        public StringValues this[string key] => new(request.QueryAll(key).ToArray());
    }

    private FakeResponse? Authenticate(FakeRequest http)
    {
        var header = (http.Header("Authorization") ?? "");
        if (V1)
        {
            if (_options.Credentials is not { } c)
            {
                return null;
            }
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.User}:{c.Password}"));
            // Airflow 2.10.3 with AUTH_ROLE_PUBLIC: wrong, unknown and missing credentials all get 403.
            return header == expected ? null : Problem(403, "Forbidden", "PermissionDenied", null);
        }
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header.Length == 7)
        {
            return Detail(401, "Not authenticated");
        }
        var token = header[7..];
        var parts = token.Split('.');
        if (parts.Length != 3 || Sign(parts[0] + "." + parts[1]) != parts[2])
        {
            return Detail(403, "Invalid JWT token");
        }
        var payload = JsonNode.Parse(Base64UrlDecode(parts[1]))!;
        var exp = payload["exp"]!.GetValue<long>();
        return Now.ToUnixTimeSeconds() >= exp ? Detail(401, "Token Expired") : null;
    }

    private FakeResponse IssueToken(FakeRequest http)
    {
        if (!(http.Header("Content-Type") ?? "").StartsWith("application/json", StringComparison.Ordinal))
        {
            // Only a JSON body is read; a form (OAuth2 password-grant style) is not an object to take fields from.
            return Detail422("body", null, "Input should be a valid dictionary or object to extract fields from", "model_attributes_type");
        }
        var body = ReadBody(http);
        var user = body?["username"]?.GetValue<string>();
        var password = body?["password"]?.GetValue<string>();
        if (user is null || password is null)
        {
            return Detail(400, "Username and password must be provided");
        }
        if (_options.Credentials is { } c && (c.User != user || c.Password != password))
        {
            return Detail(401, "Invalid credentials");
        }
        Interlocked.Increment(ref _tokensIssued);
        var header = Base64UrlEncode("""{"alg":"HS512","typ":"JWT"}"""u8.ToArray());
        var claims = new JsonObject
        {
            ["sub"] = user,
            ["iat"] = Now.ToUnixTimeSeconds(),
            ["exp"] = (Now + _options.TokenLifetime).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        var payload = Base64UrlEncode(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var jwt = $"{header}.{payload}.{Sign(header + "." + payload)}";
        return Json(201, new JsonObject { ["access_token"] = jwt });
    }

    private FakeResponse ListDags(FakeRequest http)
    {
        if (Authenticate(http) is { } denied) return denied;
        var q = new QueryView(http);
        lock (_gate)
        {
            IEnumerable<Dag> dags = _dags.Values.OrderBy(d => d.DagId, StringComparer.Ordinal);
            if (q["dag_id_pattern"].ToString() is { Length: > 0 } pattern)
            {
                dags = dags.Where(d => d.DagId.Contains(pattern, StringComparison.OrdinalIgnoreCase));
            }
            var tags = q["tags"].Select(t => t!).ToList();
            if (tags.Count > 0)
            {
                var all = !V1 && q["tags_match_mode"] == "all";
                dags = dags.Where(d => all ? tags.All(d.Tags.Contains) : tags.Any(d.Tags.Contains));
            }
            if (q["paused"].ToString() is { Length: > 0 } paused)
            {
                var want = bool.Parse(paused);
                dags = dags.Where(d => d.Paused == want);
            }
            return Page(http, "dags", dags.Select(DagJson).ToList());
        }
    }

    private FakeResponse GetDag(FakeRequest http, string dagId)
    {
        if (Authenticate(http) is { } denied) return denied;
        lock (_gate)
        {
            return _dags.TryGetValue(dagId, out var dag) ? Json(200, DagJson(dag)) : DagNotFound(dagId);
        }
    }

    private FakeResponse PatchDag(FakeRequest http, string dagId)
    {
        if (Authenticate(http) is { } denied) return denied;
        var body = ReadBody(http);
        if (!V1 && new QueryView(http)["update_mask"].Any(m => m != "is_paused"))
        {
            return Detail(400, "Only `is_paused` field can be updated through the REST API");
        }
        if (!V1 && body?.Select(kv => kv.Key).FirstOrDefault(k => k != "is_paused") is { } extra)
        {
            return Detail422("body", extra, "Extra inputs are not permitted", "extra_forbidden");
        }
        if (body?["is_paused"] is not JsonValue v || v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return Invalid($"'{body?["is_paused"]?.ToJsonString()}' is not of type 'boolean' - 'is_paused'", "is_paused");
        }
        lock (_gate)
        {
            if (!_dags.TryGetValue(dagId, out var dag))
            {
                return DagNotFound(dagId);
            }
            dag.Paused = v.GetValue<bool>();
            return Json(200, DagJson(dag));
        }
    }

    private FakeResponse DeleteDag(FakeRequest http, string dagId)
    {
        if (Authenticate(http) is { } denied) return denied;
        lock (_gate)
        {
            if (!_dags.Remove(dagId))
            {
                return DagNotFound(dagId);
            }
            _runs.RemoveAll(r => r.DagId == dagId);
        }
        return V1 ? FakeResponse.Empty(204) : Json(200, new JsonObject());
    }

    private FakeResponse Trigger(FakeRequest http, string dagId)
    {
        if (Authenticate(http) is { } denied) return denied;
        var body = ReadBody(http);
        if (body is null)
        {
            return V1 ? Invalid("Request body is not valid JSON", "body")
                : Detail422("body", null, "JSON decode error", "json_invalid", new JsonObject { ["error"] = "Expecting value" });
        }
        var allowed = V1 ? new[] { "dag_run_id", "logical_date", "execution_date", "conf", "note", "data_interval_start", "data_interval_end" }
                         : ["dag_run_id", "logical_date", "conf", "note", "data_interval_start", "data_interval_end", "run_after", "partition_key"];
        if (body.Select(kv => kv.Key).FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            return V1 ? Invalid($"{{'{unknown}': ['Unknown field.']}}", unknown) : Detail422("body", unknown, "Extra inputs are not permitted", "extra_forbidden");
        }
        if (!V1 && !body.ContainsKey("logical_date"))
        {
            return Detail422("body", "logical_date", "Field required", "missing");
        }
        if (body["conf"] is not null and not JsonObject)
        {
            return Invalid("'conf' must be an object", "conf");
        }
        if (!V1 && body["logical_date"] is JsonValue naive && !HasOffset().IsMatch(naive.GetValue<string>()))
        {
            return Detail422("body", "logical_date", "Input should have timezone info", "timezone_aware");
        }
        lock (_gate)
        {
            if (!_dags.TryGetValue(dagId, out var dag))
            {
                return DagNotFound(dagId);
            }
            foreach (var (param, minimum) in dag.Minimums)
            {
                if (body["conf"]?[param] is JsonValue given && given.GetValue<int>() < minimum)
                {
                    var text = $"Invalid input for param {param}: {given.GetValue<int>()} is less than the minimum of {minimum}";
                    return V1 ? Problem(400, "Bad Request", "BadRequest", text) : Detail(400, text);
                }
            }
            DateTimeOffset? logical = body["logical_date"] is JsonValue lv ? DateTimeOffset.Parse(lv.GetValue<string>(), CultureInfo.InvariantCulture) : null;
            if (V1)
            {
                logical ??= Now;
            }
            var runId = body["dag_run_id"]?.GetValue<string>() ?? $"manual__{(logical ?? Now).ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss.ffffff}+00:00";
            if (FindRun(dagId, runId) is not null)
            {
                return Conflict($"DAGRun with DAG ID: '{dagId}' and DAGRun ID: '{runId}' already exists");
            }
            if (logical is not null && _runs.Any(r => r.DagId == dagId && r.LogicalDate == logical))
            {
                return Conflict($"DAGRun with DAG ID: '{dagId}' and DAGRun logical date: '{logical:yyyy-MM-dd HH:mm:sszzz}' already exists");
            }
            var run = NewRun(dag, runId, (body["conf"] as JsonObject)?.DeepClone().AsObject() ?? [], body["note"]?.GetValue<string>(), logical);
            _runs.Add(run);
            return Json(200, RunJson(run));
        }
    }

    private FakeResponse ListRuns(FakeRequest http, string dagId)
    {
        if (Authenticate(http) is { } denied) return denied;
        var q = new QueryView(http);
        lock (_gate)
        {
            if (dagId != "~" && !_dags.ContainsKey(dagId))
            {
                return DagNotFound(dagId);
            }
            IEnumerable<DagRun> runs = _runs.Where(r => dagId == "~" || r.DagId == dagId);
            var states = q["state"].Select(s => s!).ToList();
            if (!V1 && states.Any(s => s is not ("queued" or "running" or "success" or "failed")))
            {
                return Detail(422, "Invalid value for state. Valid values are queued, running, success, failed");
            }
            if (!V1 && q["order_by"].Select(o => o!.TrimStart('-')).FirstOrDefault(o => o is not ("id" or "state" or "dag_id" or "run_id" or "dag_run_id" or "logical_date"
                or "run_after" or "start_date" or "end_date" or "updated_at" or "conf" or "duration")) is { } unknownOrder)
            {
                return Detail(400, $"Ordering with '{unknownOrder}' is disallowed or the attribute does not exist on the model");
            }
            if (states.Count > 0)
            {
                runs = runs.Where(r => states.Contains(r.State));
            }
            if (q["start_date_gte"].ToString() is { Length: > 0 } gte)
            {
                var t = DateTimeOffset.Parse(gte, CultureInfo.InvariantCulture);
                runs = runs.Where(r => r.StartDate >= t);
            }
            if (q["start_date_lte"].ToString() is { Length: > 0 } lte)
            {
                var t = DateTimeOffset.Parse(lte, CultureInfo.InvariantCulture);
                runs = runs.Where(r => r.StartDate <= t);
            }
            if (q["start_date_lt"].ToString() is { Length: > 0 } lt)
            {
                var t = DateTimeOffset.Parse(lt, CultureInfo.InvariantCulture);
                runs = runs.Where(r => r.StartDate < t);
            }
            var orders = q["order_by"].Select(o => o!).ToList();
            if (orders.Count > 1 && V1)
            {
                return Invalid("order_by takes one value", "order_by");
            }
            IOrderedEnumerable<DagRun>? ordered = null;
            foreach (var o in orders)
            {
                var desc = o.StartsWith('-');
                Func<DagRun, IComparable?> key = o.TrimStart('-') switch
                {
                    "start_date" => r => r.StartDate,
                    "end_date" => r => r.EndDate,
                    "dag_run_id" or "run_id" => r => r.RunId,
                    "execution_date" or "logical_date" => r => r.LogicalDate,
                    _ => r => r.Id,
                };
                ordered = ordered is null
                    ? desc ? runs.OrderByDescending(key) : runs.OrderBy(key)
                    : desc ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
            }
            return Page(http, "dag_runs", (ordered ?? runs.OrderBy(r => r.Id)).Select(RunJson).ToList());
        }
    }

    /// <summary>Runs <paramref name="handle"/> on the run under the state lock, or answers the dialect's 404.</summary>
    private FakeResponse WithRun(string dagId, string runId, Func<DagRun, FakeResponse> handle)
    {
        lock (_gate)
        {
            var run = FindRun(dagId, runId);
            return run is null ? RunNotFound(dagId, runId) : handle(run);
        }
    }

    private FakeResponse GetRun(FakeRequest http, string dagId, string runId)
    {
        if (Authenticate(http) is { } denied) return denied;
        return WithRun(dagId, runId, run =>
        {
            if (_options.AdvanceOnRunRead)
            {
                Step(run);
            }
            return Json(200, RunJson(run));
        });
    }

    private FakeResponse PatchRun(FakeRequest http, string dagId, string runId)
    {
        if (Authenticate(http) is { } denied) return denied;
        var body = ReadBody(http);
        var state = body?["state"]?.GetValue<string>();
        if (!V1 && state is null && body?["note"] is JsonValue note)
        {
            // v2 sets a note through the same PATCH (there is no setNote).
            return WithRun(dagId, runId, run =>
            {
                run.Note = note.GetValue<string>();
                return Json(200, RunJson(run));
            });
        }
        if (state is not ("success" or "failed" or "queued"))
        {
            return V1 ? Invalid($"'{state}' is not one of ['success', 'failed', 'queued'] - 'state'", "state")
                : Detail422("body", "state", "Input should be 'queued', 'success' or 'failed'", "enum", new JsonObject { ["expected"] = "'queued', 'success' or 'failed'" });
        }
        return WithRun(dagId, runId, run =>
        {
            run.State = state;
            if (state == "queued")
            {
                run.StartDate = null;
                run.EndDate = null;
            }
            else
            {
                run.EndDate = Now;
                foreach (var t in run.Tasks)
                {
                    t.State = t.State switch
                    {
                        "running" => state,
                        null or "scheduled" or "queued" => state == "failed" ? "skipped" : "success",
                        _ => t.State,
                    };
                }
            }
            return Json(200, RunJson(run));
        });
    }

    private FakeResponse DeleteRun(FakeRequest http, string dagId, string runId)
    {
        if (Authenticate(http) is { } denied) return denied;
        return WithRun(dagId, runId, run =>
        {
            _runs.Remove(run);
            return FakeResponse.Empty(204);
        });
    }

    private FakeResponse ClearRun(FakeRequest http, string dagId, string runId)
    {
        if (Authenticate(http) is { } denied) return denied;
        var body = ReadBody(http);
        var dryRun = body?["dry_run"]?.GetValue<bool>() ?? true;
        return WithRun(dagId, runId, run =>
        {
            if (dryRun)
            {
                var tis = new JsonArray(run.Tasks.Select(t => (JsonNode)TaskJson(run, t)).ToArray());
                return Json(200, new JsonObject { ["task_instances"] = tis, ["total_entries"] = run.Tasks.Count });
            }
            run.State = "queued";
            run.StartDate = null;
            run.EndDate = null;
            foreach (var t in run.Tasks)
            {
                if (t.TryNumber > 0 && t.State is not null)
                {
                    t.History.Add(HistoryJson(run, t));
                }
                t.State = null;
                t.StartDate = null;
                t.EndDate = null;
            }
            return Json(200, RunJson(run));
        });
    }

    private FakeResponse ListTasks(FakeRequest http, string dagId, string runId)
    {
        if (Authenticate(http) is { } denied) return denied;
        return WithRun(dagId, runId, run => Page(http, "task_instances", run.Tasks.Select(t => TaskJson(run, t)).ToList()));
    }

    private FakeResponse GetTask(FakeRequest http, string dagId, string runId, string taskId)
    {
        if (Authenticate(http) is { } denied) return denied;
        lock (_gate)
        {
            if (_options.AdvanceOnTaskRead && FindRun(dagId, runId) is { } advancing)
            {
                Step(advancing);
            }
            var task = FindRun(dagId, runId)?.Tasks.FirstOrDefault(t => t.TaskId == taskId);
            return task is null ? TaskNotFound() : Json(200, TaskJson(FindRun(dagId, runId)!, task));
        }
    }

    /// <summary>
    /// The tries of a task instance, as Airflow answers them: the recorded attempts, then the current instance.
    /// Airflow 2.10 names the list <c>task_instances</c> (its spec says <c>task_instances_history</c>), ignores
    /// paging and answers 200 with an empty list for an unknown task; Airflow 3 answers 404.
    /// The fake has no mapped tasks, so a map index other than -1 finds nothing.
    /// </summary>
    private FakeResponse ListTries(FakeRequest http, string dagId, string runId, string taskId, int mapIndex)
    {
        if (Authenticate(http) is { } denied) return denied;
        lock (_gate)
        {
            var run = FindRun(dagId, runId);
            var task = mapIndex == -1 ? run?.Tasks.FirstOrDefault(t => t.TaskId == taskId) : null;
            JsonNode[] tries = task is null ? [] : task.History.Select(h => (JsonNode)h.DeepClone()).Append(HistoryJson(run!, task)).ToArray();
            if (tries.Length == 0 && !V1)
            {
                return TaskNotFound();
            }
            return Json(200, new JsonObject { ["task_instances"] = new JsonArray(tries), ["total_entries"] = tries.Length });
        }
    }

    private FakeResponse GetLog(FakeRequest http, string dagId, string runId, string taskId, int tryNumber)
    {
        if (Authenticate(http) is { } denied) return denied;
        var q = new QueryView(http);
        lock (_gate)
        {
            var run = FindRun(dagId, runId);
            var task = run?.Tasks.FirstOrDefault(t => t.TaskId == taskId);
            if (task is null || (q["map_index"].ToString() is { Length: > 0 } mi && mi != "-1"))
            {
                return TaskNotFound();
            }
            var pos = 0;
            if (q["token"].ToString() is { Length: > 0 } token)
            {
                var payload = JsonNode.Parse(Base64UrlDecode(token.Split('.')[0]))!;
                pos = payload["log_pos"]!.GetValue<int>();
            }
            var started = task.Logs.TryGetValue(tryNumber, out var log);
            var full = started ? log!.ToString() : "";
            var chunk = pos < full.Length ? full[pos..] : "";
            var endOfLog = !(task.TryNumber == tryNumber && task.State is "running" or "deferred");
            var nextToken = MakeLogToken(endOfLog, full.Length);
            if (V1)
            {
                var host = started ? "fakehost" : "";
                return Json(200, new JsonObject { ["content"] = $"[({PyRepr(host)}, {PyRepr(chunk)})]", ["continuation_token"] = nextToken });
            }
            var content = new JsonArray();
            if (V30 && pos == 0)
            {
                // 3.0 opens every log with a group listing where it was read from.
                content.Add(new JsonObject { ["event"] = "::group::Log message source details", ["sources"] = started ? new JsonArray($"/opt/airflow/logs/{dagId}/{runId}/{taskId}/attempt={tryNumber}.log") : new JsonArray() });
                content.Add(new JsonObject { ["event"] = "::endgroup::" });
            }
            foreach (var line in chunk.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                content.Add(new JsonObject { ["timestamp"] = Now.ToString("O", CultureInfo.InvariantCulture), ["event"] = line, ["level"] = "info" });
            }
            return Json(200, new JsonObject { ["content"] = content, ["continuation_token"] = endOfLog ? null : nextToken });
        }
    }

    // ---------------------------------------------------------------- JSON shapes

    private JsonObject DagJson(Dag d)
    {
        var tags = new JsonArray(d.Tags.Select(t => (JsonNode)(V1 ? new JsonObject { ["name"] = t }
            : V30 ? new JsonObject { ["name"] = t, ["dag_id"] = d.DagId }
            : new JsonObject { ["name"] = t, ["dag_id"] = d.DagId, ["dag_display_name"] = d.DagId })).ToArray());
        var o = new JsonObject
        {
            ["dag_id"] = d.DagId,
            ["dag_display_name"] = d.DagId,
            ["description"] = null,
            ["is_paused"] = d.Paused,
            ["fileloc"] = $"/opt/airflow/dags/{d.DagId}.py",
            ["file_token"] = "Ii9vcHQvYWlyZmxvdy9kYWdzIg.fake",
            ["has_import_errors"] = false,
            ["has_task_concurrency_limits"] = false,
            ["last_parsed_time"] = Now.ToString("O", CultureInfo.InvariantCulture),
            ["last_expired"] = null,
            ["max_active_runs"] = 16,
            ["max_active_tasks"] = 16,
            ["max_consecutive_failed_dag_runs"] = 0,
            ["next_dagrun_data_interval_start"] = null,
            ["next_dagrun_data_interval_end"] = null,
            ["owners"] = new JsonArray("airflow"),
            ["tags"] = tags,
            ["timetable_description"] = d.Schedule is null ? "Never, external triggers only" : $"At {d.Schedule}",
        };
        var next = d.Schedule is null ? null : Now.AddDays(1).ToString("O", CultureInfo.InvariantCulture);
        if (V1)
        {
            o["is_active"] = true;
            o["is_subdag"] = false;
            o["root_dag_id"] = null;
            o["schedule_interval"] = d.Schedule is null ? null : new JsonObject { ["__type"] = "CronExpression", ["value"] = d.Schedule };
            o["next_dagrun"] = next;
            o["next_dagrun_create_after"] = next;
            o["default_view"] = "grid";
            o["last_pickled"] = null;
            o["pickle_id"] = null;
            o["scheduler_lock"] = null;
        }
        else
        {
            o["is_stale"] = false;
            o["bundle_name"] = "dags-folder";
            o["relative_fileloc"] = $"{d.DagId}.py";
            o["timetable_summary"] = d.Schedule;
            o["next_dagrun_logical_date"] = next;
            o["next_dagrun_run_after"] = next;
            if (!V30)
            {
                o["last_parse_duration"] = 0.1;
                o["bundle_version"] = null;
                o["timetable_partitioned"] = false;
                o["allowed_run_types"] = null;
            }
        }
        return o;
    }

    private JsonObject RunJson(DagRun r)
    {
        var o = new JsonObject
        {
            ["dag_run_id"] = r.RunId,
            ["dag_id"] = r.DagId,
            ["logical_date"] = Date(r.LogicalDate),
            ["start_date"] = Date(r.StartDate),
            ["end_date"] = Date(r.EndDate),
            ["data_interval_start"] = Date(r.LogicalDate),
            ["data_interval_end"] = Date(r.LogicalDate),
            ["last_scheduling_decision"] = null,
            ["run_type"] = "manual",
            ["state"] = r.State,
            ["conf"] = r.Conf.DeepClone(),
            ["note"] = r.Note,
        };
        if (V1)
        {
            o["execution_date"] = Date(r.LogicalDate);
            o["external_trigger"] = true;
        }
        else
        {
            o["queued_at"] = Date(r.QueuedAt);
            o["run_after"] = Date(r.QueuedAt);
            o["triggered_by"] = "rest_api";
            o["dag_versions"] = new JsonArray();
            if (!V30)
            {
                o["duration"] = r.StartDate is { } s && r.EndDate is { } e ? (e - s).TotalSeconds : null;
                o["triggering_user_name"] = "admin";
                o["bundle_version"] = null;
                o["dag_display_name"] = r.DagId;
                o["partition_key"] = null;
            }
        }
        return o;
    }

    private JsonObject TaskJson(DagRun r, TaskInst t)
    {
        var o = new JsonObject
        {
            ["task_id"] = t.TaskId,
            ["task_display_name"] = t.TaskId,
            ["dag_id"] = r.DagId,
            ["dag_run_id"] = r.RunId,
            ["map_index"] = -1,
            ["start_date"] = Date(t.StartDate),
            ["end_date"] = Date(t.EndDate),
            ["duration"] = t.StartDate is { } s && t.EndDate is { } e ? (e - s).TotalSeconds : null,
            ["state"] = t.State,
            ["try_number"] = t.TryNumber,
            ["max_tries"] = 0,
            ["hostname"] = t.StartDate is null ? "" : "fakehost",
            ["unixname"] = "airflow",
            ["pool"] = "default_pool",
            ["pool_slots"] = 1,
            ["queue"] = "default",
            ["priority_weight"] = 1,
            ["operator"] = "PythonOperator",
            ["queued_when"] = null,
            ["pid"] = null,
            ["executor"] = null,
            ["executor_config"] = "{}",
            ["note"] = null,
            ["rendered_map_index"] = null,
            ["rendered_fields"] = new JsonObject(),
            ["trigger"] = null,
            ["triggerer_job"] = null,
        };
        if (V1)
        {
            o["execution_date"] = Date(r.LogicalDate ?? r.QueuedAt);
            o["sla_miss"] = null;
        }
        else
        {
            o["id"] = t.Id.ToString();
            o["logical_date"] = Date(r.LogicalDate);
            o["run_after"] = Date(r.QueuedAt);
            o["scheduled_when"] = null;
            o["dag_version"] = null;
            if (!V30)
            {
                o["dag_display_name"] = r.DagId;
                o["operator_name"] = "PythonOperator";
            }
        }
        return o;
    }

    /// <summary>A try as <c>TaskInstanceHistory</c> (v1) / <c>TaskInstanceHistoryResponse</c> (v2): the task instance without its run-level and rendering fields.</summary>
    private JsonObject HistoryJson(DagRun r, TaskInst t)
    {
        var o = TaskJson(r, t);
        foreach (var key in new[] { "note", "rendered_map_index", "rendered_fields", "trigger", "triggerer_job", "execution_date", "sla_miss", "id", "logical_date", "run_after" })
        {
            o.Remove(key);
        }
        return o;
    }

    private static string? Date(DateTimeOffset? d) => d?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    private FakeResponse Page(FakeRequest http, string key, List<JsonObject> items)
    {
        var q = new QueryView(http);
        var limit = int.TryParse(q["limit"], out var l) ? Math.Min(l, 100) : 100;
        if (!V1 && limit < 0)
        {
            return Detail422("query", "limit", "Input should be greater than or equal to 0", "greater_than_equal", new JsonObject { ["ge"] = 0 });
        }
        var offset = int.TryParse(q["offset"], out var o) ? o : 0;
        var page = new JsonArray(items.Skip(offset).Take(limit).Select(i => (JsonNode)i).ToArray());
        return Json(200, new JsonObject { [key] = page, ["total_entries"] = items.Count });
    }

    // ---------------------------------------------------------------- errors in each dialect

    private FakeResponse DagNotFound(string dagId)
        => V1 ? Problem(404, "DAG not found", "NotFound", $"The DAG with dag_id: {dagId} was not found") : Detail(404, $"The Dag with ID: `{dagId}` was not found");

    private FakeResponse RunNotFound(string dagId, string runId)
        => V1 ? Problem(404, "DAGRun not found", "NotFound", $"DAGRun with DAG ID: '{dagId}' and DagRun ID: '{runId}' not found")
              : Detail(404, $"The DagRun with dag_id: `{dagId}` and run_id: `{runId}` was not found");

    private FakeResponse TaskNotFound() => V1 ? Problem(404, "TaskInstance not found", "NotFound", "Task instance not found") : Detail(404, "TaskInstance not found");

    private FakeResponse Conflict(string message)
        => V1 ? Problem(409, "Conflict", "AlreadyExists", message)
              : Json(409, new JsonObject { ["detail"] = new JsonObject { ["reason"] = "Unique constraint violation", ["statement"] = "hidden", ["orig_error"] = "hidden", ["message"] = message } });

    private FakeResponse Invalid(string message, string field)
        => V1 ? Problem(400, "Bad Request", "BadRequest", message) : Detail422("body", field, message, "value_error");

    private static FakeResponse Problem(int status, string title, string name, string? detail)
        => FakeResponse.Text(status, new JsonObject
        {
            ["detail"] = detail,
            ["status"] = status,
            ["title"] = title,
            ["type"] = $"https://airflow.apache.org/docs/apache-airflow/2.10.3/stable-rest-api-ref.html#section/Errors/{name}",
        }.ToJsonString(), "application/problem+json");

    private static FakeResponse Detail(int status, string detail) => Json(status, new JsonObject { ["detail"] = detail });

    /// <summary>A pydantic validation error as FastAPI answers it; <c>ctx</c> only for the error types that carry one (bounds, enums, JSON errors).</summary>
    private static FakeResponse Detail422(string where, string? field, string message, string type, JsonObject? ctx = null)
    {
        var item = new JsonObject { ["type"] = type, ["loc"] = field is null ? new JsonArray(where) : new JsonArray(where, field), ["msg"] = message, ["input"] = null };
        if (ctx is not null)
        {
            item["ctx"] = ctx;
        }
        return Json(422, new JsonObject { ["detail"] = new JsonArray(item) });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(Z|[+-]\d\d:?\d\d)$")]
    private static partial System.Text.RegularExpressions.Regex HasOffset();

    private static FakeResponse Json(int status, JsonNode body) => FakeResponse.JsonText(status, body.ToJsonString());

    private static JsonObject? ReadBody(FakeRequest http)
    {
        var text = http.Body;
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string Sign(string data) => Base64UrlEncode(HMACSHA256.HashData(Volatile.Read(ref _jwtKey), Encoding.UTF8.GetBytes(data)));

    /// <summary>Changes the JWT signing key (an API server restarted with a new secret): issued tokens become "Invalid JWT token" (403).</summary>
    public void RotateSigningKey() => Volatile.Write(ref _jwtKey, RandomNumberGenerator.GetBytes(32));

    private static string MakeLogToken(bool endOfLog, int pos)
        => Base64UrlEncode(Encoding.UTF8.GetBytes($"{{\"end_of_log\":{(endOfLog ? "true" : "false")},\"log_pos\":{pos}}}")) + ".fakesignature";

    /// <summary>Python's repr of a str: single quotes unless the text holds a single quote and no double quote.</summary>
    public static string PyRepr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var c in s)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c == quote => "\\" + c,
                _ when c < 0x20 || c == 0x7f => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return sb.Append(quote).ToString();
    }

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Base64UrlDecode(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        return Convert.FromBase64String(padded);
    }

    private sealed class Dag(string dagId, string[] tasks, string[] tags, bool paused, string? failingTask, string? schedule)
    {
        public string DagId { get; } = dagId;
        public string[] Tasks { get; } = tasks;
        public string[] Tags { get; } = tags;
        public bool Paused { get; set; } = paused;
        public string? FailingTask { get; } = failingTask;
        public string? Schedule { get; } = schedule;
        public string? LogLine { get; init; }
        public IReadOnlyDictionary<string, int> Minimums { get; init; } = new Dictionary<string, int>();
    }

    private sealed class DagRun(string dagId, string runId, JsonObject conf, string? note, DateTimeOffset? logicalDate, DateTimeOffset queuedAt, List<TaskInst> tasks)
    {
        private static int s_next;
        public int Id { get; } = Interlocked.Increment(ref s_next);
        public string DagId { get; } = dagId;
        public string RunId { get; } = runId;
        public JsonObject Conf { get; } = conf;
        public string? Note { get; set; } = note;
        public DateTimeOffset? LogicalDate { get; } = logicalDate;
        public DateTimeOffset QueuedAt { get; } = queuedAt;
        public List<TaskInst> Tasks { get; } = tasks;
        public string State { get; set; } = "queued";
        public DateTimeOffset? StartDate { get; set; }
        public DateTimeOffset? EndDate { get; set; }
        public bool ForceFail { get; set; }
    }

    private sealed class TaskInst(string taskId)
    {
        public Guid Id { get; } = Guid.NewGuid();
        public string TaskId { get; } = taskId;
        public string? State { get; set; }
        public int TryNumber { get; set; }
        public DateTimeOffset? StartDate { get; set; }
        public DateTimeOffset? EndDate { get; set; }
        public Dictionary<int, StringBuilder> Logs { get; } = [];
        public List<JsonObject> History { get; } = [];

        public void Log(string line) => Logs[TryNumber].Append("[fake] ").Append(line).Append('\n');
    }
}
