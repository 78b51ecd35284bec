using System.Globalization;
using System.Text.Json.Nodes;

namespace MlopsGateway.MLflow.Tests.Fake;

/// <summary>Key/value pairs in first-write order, overwritten in place (how MLflow lists tags and params).</summary>
internal sealed class OrderedPairs
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public int Count => _items.Count;

    public string? Get(string key) => _items.FirstOrDefault(p => p.Key == key) is { Key: not null } p ? p.Value : null;

    public void Set(string key, string value)
    {
        var index = _items.FindIndex(p => p.Key == key);
        if (index >= 0)
        {
            _items[index] = new(key, value);
        }
        else
        {
            _items.Add(new(key, value));
        }
    }

    public bool Remove(string key) => _items.RemoveAll(p => p.Key == key) > 0;

    public IEnumerable<JsonNode> ToJson() => _items.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value });
}

internal sealed class FakeExperiment(string id, string name, long now)
{
    public string Id { get; } = id;
    public string Name { get; set; } = name;
    public string ArtifactLocation { get; init; } = $"mlflow-artifacts:/{id}";
    public string Lifecycle { get; set; } = "active";
    public long Created { get; } = now;
    public long Updated { get; set; } = now;
    public OrderedPairs Tags { get; } = new();

    public JsonObject ToJson() => MLflowFake.WithList(new JsonObject
    {
        ["experiment_id"] = Id,
        ["name"] = Name,
        ["artifact_location"] = ArtifactLocation,
        ["lifecycle_stage"] = Lifecycle,
        ["last_update_time"] = Updated,
        ["creation_time"] = Created,
    }, "tags", Tags.ToJson());
}

internal sealed record FakeMetric(string Key, double Value, long Timestamp, long Step)
{
    public JsonObject ToJson(string? runId)
    {
        var json = new JsonObject
        {
            ["key"] = Key,
            ["value"] = double.IsNaN(Value) ? JsonValue.Create("NaN") : JsonValue.Create(Value),
            ["timestamp"] = Timestamp,
            ["step"] = Step,
        };
        if (runId is not null)
        {
            json["run_id"] = runId;
        }
        return json;
    }
}

internal sealed class FakeRun(string id, string experimentId, string name)
{
    public string Id { get; } = id;
    public string ExperimentId { get; } = experimentId;
    public string Name { get; set; } = name;
    public string UserId { get; init; } = "";
    public string Status { get; set; } = "RUNNING";
    public long StartTime { get; init; }
    public long? EndTime { get; set; }
    public required string ArtifactUri { get; init; }
    public string Lifecycle { get; set; } = "active";
    public List<FakeMetric> History { get; } = [];
    public OrderedPairs Params { get; } = new();
    public OrderedPairs Tags { get; } = new();
    public List<JsonObject> Datasets { get; } = [];
    public List<JsonObject> ModelOutputs { get; } = [];

    /// <summary>MLflow's latest value: the largest (step, timestamp, value), NaN compared as largest.</summary>
    public FakeMetric? Latest(string key) => History.Where(m => m.Key == key)
        .OrderBy(m => m.Step).ThenBy(m => m.Timestamp).ThenBy(m => double.IsNaN(m.Value) ? double.MaxValue : m.Value).LastOrDefault();
}

internal sealed class FakeModel(string name, long now)
{
    public string Name { get; set; } = name;
    public string Description { get; set; } = "";
    public long Created { get; } = now;
    public long Updated { get; set; } = now;
    public OrderedPairs Tags { get; } = new();
    public Dictionary<string, string> Aliases { get; } = new(StringComparer.Ordinal);
    public List<FakeVersion> Versions { get; } = [];
    public int NextVersion { get; set; } = 1;

    public JsonObject ToJson(bool summary = false)
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["creation_timestamp"] = Created,
            ["last_updated_timestamp"] = Updated,
        };
        if (Description.Length > 0)
        {
            json["description"] = Description;
        }
        MLflowFake.WithList(json, "latest_versions", Versions.GroupBy(v => v.Stage).Select(g => (JsonNode)g.MaxBy(v => v.Number)!.ToJson(withAliases: false)));
        MLflowFake.WithList(json, "tags", Tags.ToJson());
        MLflowFake.WithList(json, "aliases", Aliases.OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => (JsonNode)new JsonObject { ["alias"] = a.Key, ["version"] = a.Value }));
        _ = summary;
        return json;
    }
}

internal sealed class FakeVersion(FakeModel model, int number, long now)
{
    public FakeModel Model { get; } = model;
    public int Number { get; } = number;
    public long Created { get; } = now;
    public long Updated { get; set; } = now;
    public string Stage { get; set; } = "None";
    public string Description { get; set; } = "";
    public required string Source { get; init; }
    public string RunId { get; init; } = "";
    public string RunLink { get; init; } = "";
    public OrderedPairs Tags { get; } = new();

    public JsonObject ToJson(bool withAliases)
    {
        var json = new JsonObject
        {
            ["name"] = Model.Name,
            ["version"] = Number.ToString(CultureInfo.InvariantCulture),
            ["creation_timestamp"] = Created,
            ["last_updated_timestamp"] = Updated,
            ["current_stage"] = Stage,
            ["description"] = Description,
            ["source"] = Source,
            ["run_id"] = RunId,
            ["status"] = "READY",
        };
        MLflowFake.WithList(json, "tags", Tags.ToJson());
        json["run_link"] = RunLink;
        if (withAliases)
        {
            var version = Number.ToString(CultureInfo.InvariantCulture);
            MLflowFake.WithList(json, "aliases", Model.Aliases.Where(a => a.Value == version).Select(a => (JsonNode)JsonValue.Create(a.Key)));
        }
        return json;
    }
}
