using System.Text.Json;
using System.Text.Json.Nodes;
using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>Builders for KFP filter predicates (the <c>filter</c> query parameter is URL-encoded JSON of these).</summary>
internal static class KfpFilters
{
    public static KfpPredicate Equals(string key, string value) => new() { Key = key, Operation = "EQUALS", StringValue = value };

    public static KfpPredicate Substring(string key, string value) => new() { Key = key, Operation = "IS_SUBSTRING", StringValue = value };

    public static KfpPredicate In(string key, IEnumerable<string> values) => new() { Key = key, Operation = "IN", StringValues = new KfpStringValues(values.ToList()) };

    /// <summary>The <c>filter</c> query value: the JSON of the predicates (Refit percent-encodes it), or null (no filter) when there are none.</summary>
    public static string? ToJson(IReadOnlyCollection<KfpPredicate> predicates)
        => predicates.Count == 0 ? null : JsonSerializer.Serialize(new KfpFilter { Predicates = [.. predicates] }, KfpJsonContext.Default.KfpFilter);
}

/// <summary>How a neutral <see cref="RunQuery"/> becomes a KFP list-runs request, plus what is left to filter client-side.</summary>
internal sealed record KfpRunQuery(string? ExperimentId, string? SortBy, string? Filter, Func<Run, bool>? ClientFilter)
{
    public static KfpRunQuery Plan(RunQuery query, BackendContext context)
    {
        if (query.Metrics.Count > 0)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation,
                "Runs.List: Kubeflow Pipelines runs have no metrics to filter on (they live in MLMD); route tracking to MLflow.", context);
        }
        var predicates = new List<KfpPredicate>();
        if (query.NativeFilter is { Length: > 0 } native)
        {
            predicates.AddRange(ParseNative(native, context));
        }
        var states = query.Statuses.SelectMany(KfpMapping.ToStates).Distinct(StringComparer.Ordinal).ToList();
        if (states.Count == 1)
        {
            predicates.Add(KfpFilters.Equals("state", states[0]));
        }
        else if (states.Count > 1)
        {
            predicates.Add(KfpFilters.In("state", states));
        }
        if (query.StartedAfter is { } after)
        {
            predicates.Add(new KfpPredicate { Key = "created_at", Operation = "GREATER_THAN_EQUALS", TimestampValue = after.ToUniversalTime() });
        }
        if (query.StartedBefore is { } before)
        {
            predicates.Add(new KfpPredicate { Key = "created_at", Operation = "LESS_THAN", TimestampValue = before.ToUniversalTime() });
        }

        var clientChecks = new List<Func<Run, bool>>();
        string? experimentId = null;
        if (query.ExperimentIds.Count == 1)
        {
            experimentId = query.ExperimentIds[0];
        }
        else if (query.ExperimentIds.Count > 1)
        {
            var ids = query.ExperimentIds.ToHashSet(StringComparer.Ordinal);
            clientChecks.Add(r => r.ExperimentId is { } id && ids.Contains(id));
        }
        if (query.PipelineId is { } pipelineId)
        {
            clientChecks.Add(r => r.PipelineId == pipelineId);
        }
        if (query.Tags is { Count: > 0 } tags)
        {
            // KFP runs carry no tags: a tag predicate matches nothing.
            clientChecks.Add(r => tags.All(t => r.Tags.TryGetValue(t.Key, out var v) && v == t.Value));
        }
        foreach (var p in query.Params)
        {
            clientChecks.Add(r => r.Params.TryGetValue(p.Key, out var v) && Compare(v, p.Operator, p.Value));
        }

        return new KfpRunQuery(
            experimentId,
            ToSortBy(query.OrderBy, context),
            KfpFilters.ToJson(predicates),
            clientChecks.Count == 0 ? null : r => clientChecks.All(c => c(r)));
    }

    private static string? ToSortBy(IReadOnlyList<RunOrdering> orderBy, BackendContext context)
    {
        if (orderBy.Count == 0)
        {
            return "created_at desc";
        }
        if (orderBy.Count > 1)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, "Runs.List: Kubeflow Pipelines sorts by one field only.", context);
        }
        var field = orderBy[0].Field switch
        {
            RunSortField.StartTime => "created_at",
            RunSortField.EndTime => "finished_at",
            RunSortField.Name => "display_name",
            _ => throw MlopsErrors.Create(MlopsErrorKind.Validation,
                $"Runs.List: Kubeflow Pipelines cannot sort runs by {orderBy[0].Field}; use StartTime, EndTime or Name.", context),
        };
        return field + (orderBy[0].Descending ? " desc" : " asc");
    }

    private static bool Compare(string actual, ComparisonOperator op, string expected)
    {
        var c = string.CompareOrdinal(actual, expected);
        return op switch
        {
            ComparisonOperator.Equal => c == 0,
            ComparisonOperator.NotEqual => c != 0,
            ComparisonOperator.LessThan => c < 0,
            ComparisonOperator.LessThanOrEqual => c <= 0,
            ComparisonOperator.GreaterThan => c > 0,
            _ => c >= 0,
        };
    }

    /// <summary>A caller's raw KFP filter JSON (<c>{"predicates":[...]}</c>); its predicates are ANDed with the gateway's.</summary>
    private static List<KfpPredicate> ParseNative(string native, BackendContext context)
    {
        KfpFilter? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(native, KfpJsonContext.Default.KfpFilter);
        }
        catch (JsonException ex)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, $"Runs.List: RunQuery.NativeFilter is not a KFP filter JSON object: {ex.Message}", context);
        }
        return parsed?.Predicates ?? [];
    }
}
