using System.Globalization;
using System.Text;

namespace MlopsGateway.Local.Storage;

/// <summary>Translates a <see cref="RunQuery"/> into one SQL statement: every condition is evaluated by SQLite, none client-side.</summary>
internal static class RunQuerySql
{
    public static (string Sql, List<(string, object?)> Parameters) Build(RunQuery query)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        string Add(object? value)
        {
            var name = "@p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add((name, value));
            return name;
        }

        if (query.ExperimentIds.Count > 0)
        {
            var ids = query.ExperimentIds.Select(id => Add(long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1));
            where.Append(CultureInfo.InvariantCulture, $" AND r.experiment_id IN ({string.Join(", ", ids)})");
        }
        if (query.PipelineId is not null)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND r.pipeline_id = {Add(query.PipelineId)}");
        }
        if (query.Statuses.Count > 0)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND r.status IN ({string.Join(", ", query.Statuses.Select(s => Add((int)s)))})");
        }
        foreach (var (key, value) in query.Tags ?? new Dictionary<string, string>())
        {
            where.Append(CultureInfo.InvariantCulture, $" AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.key = {Add(key)} AND t.value = {Add(value)})");
        }
        foreach (var predicate in query.Metrics)
        {
            where.Append(CultureInfo.InvariantCulture,
                $" AND EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.id AND m.key = {Add(predicate.Key)} AND m.value {Operator(predicate.Operator)} {Add(predicate.Value)})");
        }
        foreach (var predicate in query.Params)
        {
            where.Append(CultureInfo.InvariantCulture,
                $" AND EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.key = {Add(predicate.Key)} AND p.value {Operator(predicate.Operator)} {Add(predicate.Value)})");
        }
        if (query.StartedAfter is { } after)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND r.start_time >= {Add(EpochTime.ToMilliseconds(after))}");
        }
        if (query.StartedBefore is { } before)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND r.start_time < {Add(EpochTime.ToMilliseconds(before))}");
        }

        var order = new List<string>();
        foreach (var ordering in query.OrderBy)
        {
            var direction = ordering.Descending ? "DESC" : "ASC";
            var expression = ordering.Field switch
            {
                RunSortField.StartTime => "r.start_time",
                RunSortField.EndTime => "r.end_time",
                RunSortField.Name => "r.name",
                RunSortField.Metric => $"(SELECT m.value FROM latest_metrics m WHERE m.run_id = r.id AND m.key = {Add(RequireKey(ordering))})",
                RunSortField.Param => $"(SELECT p.value FROM params p WHERE p.run_id = r.id AND p.key = {Add(RequireKey(ordering))})",
                _ => throw MlopsGuard.Invalid($"Unknown run sort field {ordering.Field}."),
            };
            order.Add($"{expression} {direction} NULLS LAST");
        }
        if (order.Count == 0)
        {
            order.Add("r.start_time DESC");
        }
        order.Add("r.seq DESC");

        var sql = $"SELECT {RunRows.Columns} FROM runs r {where} ORDER BY {string.Join(", ", order)} LIMIT @limit OFFSET @offset;";
        return (sql, parameters);
    }

    private static string RequireKey(RunOrdering ordering)
        => ordering.Key ?? throw MlopsGuard.Invalid($"Ordering runs by {ordering.Field} needs RunOrdering.Key (the metric or param name).");

    private static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        _ => throw MlopsGuard.Invalid($"Unknown comparison operator {op}."),
    };
}
