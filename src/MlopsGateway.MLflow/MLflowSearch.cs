using System.Globalization;
using System.Text;

namespace MlopsGateway.MLflow;

/// <summary>
/// Translates backend-neutral queries into MLflow's search language (search_utils.py): clauses joined by
/// AND only, keys quoted with backticks when they are not plain identifiers, string literals in single (or,
/// when the value holds a single quote, double) quotes. 2.17.2 accepts <c>IN</c> only on run_id, so a
/// multi-status query is written as the complement with <c>!=</c> clauses.
/// </summary>
internal static class MLflowSearch
{
    /// <summary>The run filter for <paramref name="query"/>; null for none. <paramref name="matchesNothing"/> when no MLflow status can match.</summary>
    public static string? RunFilter(RunQuery query, string backend, out bool matchesNothing)
    {
        matchesNothing = false;
        var clauses = new List<string>();
        foreach (var metric in query.Metrics)
        {
            if (!double.IsFinite(metric.Value))
            {
                throw MlopsGuard.Invalid($"Metric predicate on '{metric.Key}' needs a finite value; MLflow cannot compare with {metric.Value}.");
            }
            clauses.Add($"metrics.{Key(metric.Key)} {Operator(metric.Operator)} {metric.Value.ToString("R", CultureInfo.InvariantCulture)}");
        }
        foreach (var param in query.Params)
        {
            if (param.Operator is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
            {
                throw new MlopsNotSupportedException(backend, "Runs.List",
                    $"MLflow compares params as strings with = and != only (got {param.Operator} on '{param.Key}'); use NativeFilter with LIKE, or filter client-side.");
            }
            clauses.Add($"params.{Key(param.Key)} {Operator(param.Operator)} {Literal(param.Value)}");
        }
        foreach (var (key, value) in query.Tags ?? EmptyTags)
        {
            clauses.Add($"tags.{Key(key)} = {Literal(value)}");
        }
        if (query.Statuses.Count > 0)
        {
            var wanted = query.Statuses.Select(MLflowMapper.FromStatus).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            if (wanted.Count == 0)
            {
                matchesNothing = true;
                return null;
            }
            if (wanted.Count == 1)
            {
                clauses.Add($"attributes.status = '{wanted[0]}'");
            }
            else
            {
                clauses.AddRange(MLflowMapper.AllStatuses.Where(s => !wanted.Contains(s)).Select(s => $"attributes.status != '{s}'"));
            }
        }
        if (query.StartedAfter is { } after)
        {
            clauses.Add($"attributes.start_time >= {EpochTime.ToMilliseconds(after).ToString(CultureInfo.InvariantCulture)}");
        }
        if (query.StartedBefore is { } before)
        {
            clauses.Add($"attributes.start_time < {EpochTime.ToMilliseconds(before).ToString(CultureInfo.InvariantCulture)}");
        }
        if (!string.IsNullOrWhiteSpace(query.NativeFilter))
        {
            clauses.Add(query.NativeFilter.Trim());
        }
        return clauses.Count == 0 ? null : string.Join(" AND ", clauses);
    }

    public static List<string>? RunOrderBy(RunQuery query)
    {
        if (query.OrderBy.Count == 0)
        {
            return null;
        }
        return query.OrderBy.Select(o =>
        {
            var field = o.Field switch
            {
                RunSortField.StartTime => "attributes.start_time",
                RunSortField.EndTime => "attributes.end_time",
                RunSortField.Name => "attributes.run_name",
                RunSortField.Metric => "metrics." + Key(o.Key ?? throw MlopsGuard.Invalid("RunOrdering by Metric needs Key (the metric name).")),
                RunSortField.Param => "params." + Key(o.Key ?? throw MlopsGuard.Invalid("RunOrdering by Param needs Key (the param name).")),
                _ => throw MlopsGuard.Invalid($"Unknown run sort field {o.Field}."),
            };
            return field + (o.Descending ? " DESC" : " ASC");
        }).ToList();
    }

    /// <summary>A registry filter: <c>name LIKE '%text%'</c> (LIKE is case-insensitive on some stores; callers re-check) and exact tags.</summary>
    public static string? RegistryFilter(IEnumerable<string> fixedClauses, string? nameContains, IReadOnlyDictionary<string, string>? tags)
    {
        var clauses = new List<string>(fixedClauses);
        if (!string.IsNullOrEmpty(nameContains))
        {
            clauses.Add($"name LIKE {Literal("%" + nameContains + "%")}");
        }
        foreach (var (key, value) in tags ?? EmptyTags)
        {
            clauses.Add($"tags.{Key(key)} = {Literal(value)}");
        }
        return clauses.Count == 0 ? null : string.Join(" AND ", clauses);
    }

    /// <summary>A key as MLflow's grammar wants it: bare when an identifier, otherwise in backticks.</summary>
    public static string Key(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw MlopsGuard.Invalid("A filter key must not be empty.");
        }
        if (key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return key;
        }
        if (key.Contains('`', StringComparison.Ordinal))
        {
            throw MlopsGuard.Invalid($"The key '{key}' contains a backtick, which MLflow's filter language cannot quote.");
        }
        return "`" + key + "`";
    }

    /// <summary>A string literal: single quotes, or double quotes when the value holds a single quote.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('\'', StringComparison.Ordinal))
        {
            return "'" + value + "'";
        }
        if (!value.Contains('"', StringComparison.Ordinal))
        {
            return "\"" + value + "\"";
        }
        throw MlopsGuard.Invalid($"The value '{value}' holds both quote characters, which MLflow's filter language cannot express.");
    }

    private static string Operator(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        _ => throw MlopsGuard.Invalid($"Unknown comparison {op}."),
    };

    private static readonly IReadOnlyDictionary<string, string> EmptyTags = new Dictionary<string, string>();
}

/// <summary>
/// Artifact paths: client-side traversal checks and the mapping from an artifact URI
/// (<c>mlflow-artifacts:/1/&lt;run&gt;/artifacts</c>) to the proxy's path segments.
/// </summary>
internal static class MLflowArtifactPaths
{
    private const string Scheme = "mlflow-artifacts:";

    /// <summary>Segments of a relative path; rejects absolute paths, <c>..</c>/<c>.</c>/empty segments, backslashes and a path too long for a URL.</summary>
    public static string[] Split(string? path, bool allowEmpty)
    {
        if (string.IsNullOrEmpty(path))
        {
            return allowEmpty ? [] : throw MlopsGuard.Invalid("An artifact path is required.");
        }
        MlopsGuard.UrlValue(path, "The artifact path");
        if (path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            throw MlopsGuard.Invalid($"The artifact path '{path}' must be relative, use '/' separators and hold no control characters.");
        }
        var segments = path.TrimEnd('/').Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
        {
            throw MlopsGuard.Invalid($"The artifact path '{path}' must not contain '..', '.' or empty segments (path traversal is rejected before sending).");
        }
        return segments;
    }

    /// <summary>The proxy path segments of an artifact URI, or null when the URI is not served by the artifact proxy.</summary>
    public static string[]? ProxySegments(string? artifactUri)
    {
        if (artifactUri is null || !artifactUri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var rest = artifactUri[Scheme.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            // mlflow-artifacts://host:port/path — the authority names the same server.
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? string.Empty : rest[slash..];
        }
        return rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
    }

    public static string Join(IEnumerable<string> segments) => new StringBuilder().AppendJoin('/', segments).ToString();
}
