using System.Text.Json.Serialization;

namespace MlopsGateway.Cli;

// The --json shapes, documented in docs/cli.md. They are the tool's contract with scripts: add fields,
// never rename or remove them. Maps are sorted by key so output is stable.

/// <summary>A run as every command prints it.</summary>
internal sealed record RunJson(
    string Ref, string Backend, string Id, string? Name, RunStatus Status, string? RawStatus,
    DateTimeOffset? StartTime, DateTimeOffset? EndTime, string? ExperimentId, string? PipelineId, string? PipelineVersionId,
    IReadOnlyDictionary<string, string> Params, IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, string> Tags,
    string? ArtifactLocation)
{
    public static RunJson From(Run run) => new(
        RunReferences.Format(run), run.Backend, run.Id, run.Name, run.Status, run.RawStatus, run.StartTime, run.EndTime,
        run.ExperimentId, run.PipelineId, run.PipelineVersionId, Sorted(run.Params), Sorted(run.Metrics), Sorted(run.Tags), run.ArtifactLocation);

    public static SortedDictionary<string, TValue> Sorted<TValue>(IReadOnlyDictionary<string, TValue> map)
        => new(map.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
}

internal sealed record RunEnvelope(RunJson Run);

internal sealed record RunsEnvelope(IReadOnlyList<RunJson> Runs);

internal sealed record ArtifactJson(string Path, long? Size);

internal sealed record RunDetailEnvelope(RunJson Run, IReadOnlyList<ArtifactJson> Artifacts);

internal sealed record ComparedParamJson(string Key, IReadOnlyList<string?> Values, bool Differs);

internal sealed record ComparedMetricJson(string Key, IReadOnlyList<double?> Values, bool Differs);

internal sealed record CompareEnvelope(IReadOnlyList<string> Runs, IReadOnlyList<ComparedParamJson> Params, IReadOnlyList<ComparedMetricJson> Metrics);

internal sealed record MetricPointJson(long Step, double Value, DateTimeOffset Timestamp);

internal sealed record MetricHistoryEnvelope(string Run, string Key, IReadOnlyList<MetricPointJson> Points);

internal sealed record TaskJson(string Id, string Name, RunStatus Status, string? RawStatus, int Attempt, DateTimeOffset? StartTime, DateTimeOffset? EndTime)
{
    public static TaskJson From(TaskRun task) => new(task.Id, task.Name, task.Status, task.RawStatus, task.Attempt, task.StartTime, task.EndTime);
}

/// <summary>The outcome of a trigger (with or without <c>--wait</c>) or of <c>runs wait</c>.</summary>
internal sealed record WaitEnvelope(RunJson Run, IReadOnlyList<TaskJson> Tasks, string Outcome);

internal sealed record LogLineJson(string Task, string Line);

internal sealed record ExperimentJson(string Backend, string Id, string Name, LifecycleState State, string? ArtifactLocation, DateTimeOffset? CreatedAt);

internal sealed record ExperimentsEnvelope(IReadOnlyList<ExperimentJson> Experiments);

internal sealed record PipelineJson(string Backend, string Id, string Name, string? Description, bool? IsPaused, string? Schedule);

internal sealed record PipelinesEnvelope(IReadOnlyList<PipelineJson> Pipelines);

internal sealed record ModelJson(string Backend, string Name, string? Description, IReadOnlyDictionary<string, string> Aliases, IReadOnlyDictionary<string, string> Tags, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt);

internal sealed record ModelsEnvelope(IReadOnlyList<ModelJson> Models);

internal sealed record ModelVersionJson(string Backend, string ModelName, string Version, string? Source, string? RunId, string? Stage, string? Status, IReadOnlyList<string> Aliases, IReadOnlyDictionary<string, string> Tags, DateTimeOffset? CreatedAt);

internal sealed record ModelVersionsEnvelope(IReadOnlyList<ModelVersionJson> Versions);

internal sealed record PromoteEnvelope(string Model, string Version, string Alias, bool Promoted, string? PreviousVersion, string? Condition, string? Run, string Message);

internal sealed record GateEnvelope(bool Passed, string Run, string Metric, double? Value, double? Min, double? Max, string Message);

internal sealed record LimitsJson(int MaxMetricsPerBatch, int MaxParamsPerBatch, int MaxTagsPerBatch, int MaxPageSize);

internal sealed record BackendJson(string Name, string Kind, bool IsDefault, bool Healthy, string Description, string? ServerVersion, IReadOnlyDictionary<string, string> Capabilities, LimitsJson Limits);

internal sealed record BackendsEnvelope(string? Default, IReadOnlyList<BackendJson> Backends);

internal sealed record CopiedRunJson(string Source, string? Target, string Result, string? Reason, int Params, long MetricPoints, int Tags, int Artifacts, long Bytes);

internal sealed record CopyEnvelope(string From, string To, string Experiment, int Copied, int Skipped, IReadOnlyList<CopiedRunJson> Runs);

internal sealed record ErrorJson(int ExitCode, string Kind, string Message);

internal sealed record ErrorEnvelope(ErrorJson Error);

/// <summary>The source-generated serializer of every <c>--json</c> shape: camelCase, enums as names, NaN and ±Infinity as strings.</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunEnvelope))]
[JsonSerializable(typeof(RunsEnvelope))]
[JsonSerializable(typeof(RunDetailEnvelope))]
[JsonSerializable(typeof(CompareEnvelope))]
[JsonSerializable(typeof(MetricHistoryEnvelope))]
[JsonSerializable(typeof(WaitEnvelope))]
[JsonSerializable(typeof(LogLineJson))]
[JsonSerializable(typeof(ExperimentsEnvelope))]
[JsonSerializable(typeof(PipelinesEnvelope))]
[JsonSerializable(typeof(ModelsEnvelope))]
[JsonSerializable(typeof(ModelVersionsEnvelope))]
[JsonSerializable(typeof(PromoteEnvelope))]
[JsonSerializable(typeof(GateEnvelope))]
[JsonSerializable(typeof(BackendsEnvelope))]
[JsonSerializable(typeof(CopyEnvelope))]
[JsonSerializable(typeof(ErrorEnvelope))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
