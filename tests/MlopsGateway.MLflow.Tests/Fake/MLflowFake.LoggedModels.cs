using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlopsGateway.MLflow.Tests.Fake;

/// <summary>
/// MLflow 3 logged models (digest §12, the 3.11 recording), served only when <see cref="MLflowFake.Version"/> is
/// 3.x or newer — a 2.x server answers these paths with its HTML 404. Ids are <c>m-</c> + 32 hex (or taken from
/// <see cref="MLflowFake.PinnedLoggedModelIds"/>), new models are <c>LOGGED_MODEL_PENDING</c>, finalize takes the
/// status as the enum name (or number), params are logged with a POST, tags set with a PATCH and deleted one by
/// one, a deleted model is 404 unless <c>allow_deleted=true</c> (deleting twice is fine), <c>GET …/search</c> is a
/// get of the model with id <c>search</c>, and search is a POST that needs <c>experiment_ids</c> and pages with a
/// base64 JSON token holding the offset (default page 50).
/// </summary>
internal sealed partial class MLflowFake
{
    private const string LoggedModelsRpc = "logged-models";
    private static readonly string[] s_statusNames = ["LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"];
    private readonly List<FakeLoggedModel> _loggedModels = [];

    private bool ServesLoggedModels => Version.Split('.')[0] is var major && int.Parse(major, CultureInfo.InvariantCulture) >= 3;

    /// <summary>Logged model ids the next creations use, in order (lets a replay reproduce recorded ids); random when empty.</summary>
    public Queue<string> PinnedLoggedModelIds { get; } = new();

    private static (string Rpc, string? Id, string? Key) LoggedModelRoute(string rpc, string method)
    {
        var rest = rpc[LoggedModelsRpc.Length..].TrimStart('/');
        if (rest.Length == 0 || (rest == "search" && method == "POST"))
        {
            return (rpc, null, null);
        }
        var parts = rest.Split('/');
        return parts switch
        {
            [var id] => (LoggedModelsRpc + "/{model_id}", id, null),
            [var id, "params"] => (LoggedModelsRpc + "/{model_id}/params", id, null),
            [var id, "tags"] => (LoggedModelsRpc + "/{model_id}/tags", id, null),
            [var id, "tags", var key] => (LoggedModelsRpc + "/{model_id}/tags/{key}", id, Uri.UnescapeDataString(key)),
            [var id, "artifacts", "directories"] => (LoggedModelsRpc + "/{model_id}/artifacts/directories", id, null),
            _ => (rpc, null, null),
        };
    }

    private void MapLoggedModelRoutes()
    {
        Map(LoggedModelsRpc, Post, CreateLoggedModel);
        Map(LoggedModelsRpc + "/search", Post, SearchLoggedModels);
        Map(LoggedModelsRpc + "/{model_id}", ["GET", "PATCH", "DELETE"], LoggedModelById);
        Map(LoggedModelsRpc + "/{model_id}/params", Post, r => { foreach (var (k, v) in r.Pairs("params")) { FindLoggedModel(r).Params.Set(k, v); } return Ok(); });
        Map(LoggedModelsRpc + "/{model_id}/tags", Patch, r => { foreach (var (k, v) in r.Pairs("tags")) { FindLoggedModel(r).Tags.Set(k, v); } return Ok(); });
        Map(LoggedModelsRpc + "/{model_id}/tags/{key}", Delete, r => FindLoggedModel(r).Tags.Remove(r.PathKey!) ? Ok()
            : throw new FakeNotFound($"No tag with key '{r.PathKey}' found for model with ID '{r.PathId}'."));
        Map(LoggedModelsRpc + "/{model_id}/artifacts/directories", Get, ListLoggedModelArtifacts);
    }

    private FakeLoggedModel FindLoggedModel(Req r, bool allowDeleted = false)
        => _loggedModels.FirstOrDefault(m => m.Id == r.PathId && (allowDeleted || !m.Deleted)) ?? throw new FakeNotFound($"Logged model with ID '{r.PathId}' not found.");

    private Reply ListLoggedModelArtifacts(Req r)
    {
        var model = FindLoggedModel(r);
        var relative = (r.Str("artifact_directory_path") ?? "").Trim('/');
        var root = model.ArtifactUri["mlflow-artifacts:/".Length..];
        var files = Children(root + (relative.Length > 0 ? "/" + relative : ""))
            .Select(c => FileJson((relative.Length > 0 ? relative + "/" : "") + c.Name, c.IsDir, c.Size)).ToList();
        return Ok(WithList(new JsonObject { ["root_uri"] = model.ArtifactUri }, "files", files));
    }

    private Reply CreateLoggedModel(Req r)
    {
        var experiment = FindExperiment(r.Required("experiment_id"));
        var id = PinnedLoggedModelIds.Count > 0 ? PinnedLoggedModelIds.Dequeue() : "m-" + Guid.NewGuid().ToString("N");
        var model = new FakeLoggedModel(id, experiment.Id, r.Str("name") is { Length: > 0 } name ? name : "model-" + id[2..8], Now())
        {
            ModelType = r.Str("model_type"),
            SourceRunId = r.Str("source_run_id"),
            ArtifactUri = $"{experiment.ArtifactLocation}/models/{id}/artifacts",
        };
        foreach (var (key, value) in r.Pairs("params"))
        {
            model.Params.Set(key, value);
        }
        foreach (var (key, value) in r.Pairs("tags"))
        {
            model.Tags.Set(key, value);
        }
        _loggedModels.Add(model);
        return LoggedModelReply(model);
    }

    private Reply LoggedModelById(Req r)
    {
        var model = FindLoggedModel(r, allowDeleted: r.Method == "DELETE" || r.Str("allow_deleted") == "true");
        switch (r.Method)
        {
            case "PATCH":
                // Proto JSON: the enum's name (what 3.11 was recorded taking) or its number; any other text is refused.
                var status = r.Raw("status");
                var number = status?.GetValueKind() switch
                {
                    JsonValueKind.Number => status.GetValue<int>(),
                    JsonValueKind.String => Array.IndexOf(s_statusNames, status.GetValue<string>()),
                    _ => -1,
                };
                if (number is < 0 or > 3)
                {
                    throw new FakeBadRequest($"Invalid value {status?.ToJsonString() ?? "None"} for parameter 'status' supplied:  Hint: Value was of type '{(status is null ? "NoneType" : "str")}'" + MissingSuffix);
                }
                model.Status = number;
                model.Updated = Now();
                return LoggedModelReply(model);
            case "DELETE":
                // A soft delete: deleting again answers 200, reading needs allow_deleted=true.
                model.Deleted = true;
                model.Updated = Now();
                return Ok();
            default:
                return LoggedModelReply(model);
        }
    }

    private Reply SearchLoggedModels(Req r)
    {
        var ids = r.List("experiment_ids");
        if (ids.Count == 0)
        {
            throw new FakeBadRequest("Missing value for required parameter 'experiment_ids'" + MissingSuffix);
        }
        var size = r.Long("max_results") ?? 50;
        var clauses = FakeFilter.Parse(r.Str("filter"), "Invalid clause(s) in filter string: OR");
        var hits = _loggedModels.Where(m => ids.Contains(m.ExperimentId) && !m.Deleted)
            .Where(m => clauses.All(c => FakeFilter.Matches(c, c.Entity switch
            {
                "param" => m.Params.Get(c.Key),
                "tag" => m.Tags.Get(c.Key),
                "metric" => m.Metrics.LastOrDefault(p => p["key"]?.GetValue<string>() == c.Key)?["value"]?.GetValue<double>(),
                _ => c.Key switch
                {
                    "name" => m.Name,
                    "model_id" => m.Id,
                    "model_type" => m.ModelType,
                    "source_run_id" => m.SourceRunId,
                    "status" => s_statusNames[m.Status],
                    _ => throw new FakeBadRequest($"Invalid attribute key '{c.Key}' specified."),
                },
            })))
            .OrderByDescending(m => m.Created).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
        return Page(hits, r.Str("page_token"), (int)size, "models", m => m.ToJson(s_statusNames[m.Status]));
    }

    private static Reply LoggedModelReply(FakeLoggedModel model) => Ok(new JsonObject { ["model"] = model.ToJson(s_statusNames[model.Status]) });
}

internal sealed class FakeLoggedModel(string id, string experimentId, string name, long now)
{
    public string Id { get; } = id;
    public string ExperimentId { get; } = experimentId;
    public string Name { get; } = name;
    public string? ModelType { get; init; }
    public string? SourceRunId { get; init; }
    public string ArtifactUri { get; init; } = "";
    public int Status { get; set; } = 1;
    public bool Deleted { get; set; }
    public List<JsonObject> Metrics { get; } = [];
    public long Created { get; } = now;
    public long Updated { get; set; } = now;
    public OrderedPairs Params { get; } = new();
    public OrderedPairs Tags { get; } = new();

    public JsonObject ToJson(string status)
    {
        var info = new JsonObject
        {
            ["model_id"] = Id,
            ["experiment_id"] = ExperimentId,
            ["name"] = Name,
            ["creation_timestamp_ms"] = Created,
            ["last_updated_timestamp_ms"] = Updated,
            ["artifact_uri"] = ArtifactUri,
            ["status"] = status,
        };
        if (ModelType is not null)
        {
            info["model_type"] = ModelType;
        }
        if (SourceRunId is not null)
        {
            info["source_run_id"] = SourceRunId;
        }
        MLflowFake.WithList(info, "tags", Tags.ToJson());
        var data = MLflowFake.WithList(new JsonObject(), "params", Params.ToJson());
        MLflowFake.WithList(data, "metrics", Metrics.Select(m => (JsonNode)m.DeepClone()));
        return new JsonObject { ["info"] = info, ["data"] = data };
    }
}
