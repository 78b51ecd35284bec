using System.Globalization;
using System.Text.RegularExpressions;

namespace MlopsGateway.Cli;

/// <summary>
/// The condition language of <c>runs list --filter</c> and <c>models promote --if</c>: comparisons
/// <c>metrics.KEY OP NUMBER</c>, <c>params.KEY OP VALUE</c>, <c>tags.KEY OP VALUE</c> joined by <c>and</c>
/// (or <c>&amp;&amp;</c>). OP is <c>&gt;= &gt; &lt;= &lt; == = !=</c>; params and tags compare as strings with
/// <c>=</c>/<c>==</c>/<c>!=</c> only. Values may be quoted.
/// </summary>
internal sealed partial class RunCondition
{
    private RunCondition(string text, IReadOnlyList<Clause> clauses)
    {
        Text = text;
        Clauses = clauses;
    }

    /// <summary>The condition as given.</summary>
    public string Text { get; }

    /// <summary>The comparisons, all of which must hold.</summary>
    public IReadOnlyList<Clause> Clauses { get; }

    /// <summary>Parses a condition; a malformed one is a <see cref="CliUsageException"/> that shows the expected form.</summary>
    /// <param name="text">The condition.</param>
    /// <param name="option">The option it came from, for the message.</param>
    public static RunCondition Parse(string text, string option)
    {
        var parts = AndPattern().Split(text.Trim());
        var clauses = new List<Clause>();
        foreach (var part in parts)
        {
            var match = ClausePattern().Match(part);
            if (!match.Success)
            {
                throw Malformed(option, text, $"'{part.Trim()}' is not a comparison");
            }
            var scope = match.Groups["scope"].Value.ToLowerInvariant();
            var key = match.Groups["key"].Value;
            var op = match.Groups["op"].Value;
            var value = Unquote(match.Groups["value"].Value.Trim());
            var comparison = op switch
            {
                ">=" => ComparisonOperator.GreaterThanOrEqual,
                ">" => ComparisonOperator.GreaterThan,
                "<=" => ComparisonOperator.LessThanOrEqual,
                "<" => ComparisonOperator.LessThan,
                "!=" => ComparisonOperator.NotEqual,
                _ => ComparisonOperator.Equal,
            };
            if (scope == "metrics")
            {
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    throw Malformed(option, text, $"'{value}' is not a number");
                }
                clauses.Add(new Clause(ClauseScope.Metric, key, comparison, value, number));
            }
            else
            {
                if (comparison is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
                {
                    throw Malformed(option, text, $"{scope} compare as strings: use = or != with {scope}.{key}");
                }
                clauses.Add(new Clause(scope == "params" ? ClauseScope.Param : ClauseScope.Tag, key, comparison, value, null));
            }
        }
        return new RunCondition(text, clauses);
    }

    private static CliUsageException Malformed(string option, string text, string why)
        => new($"{option} \"{text}\": {why}; expected comparisons like 'metrics.accuracy >= 0.97', 'params.lr = 0.01' or 'tags.stage != dev' joined by 'and'.");

    private static string Unquote(string value)
        => value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0] ? value[1..^1] : value;

    /// <summary>Evaluates every clause on <paramref name="run"/> and explains each (<c>metrics.accuracy = 0.981 &gt;= 0.97</c>).</summary>
    /// <param name="run">The run whose latest metrics, params and tags are compared.</param>
    public (bool Holds, IReadOnlyList<string> Explanations) Evaluate(Run run)
    {
        var holds = true;
        var explanations = new List<string>();
        foreach (var clause in Clauses)
        {
            var (ok, explanation) = clause.Evaluate(run);
            holds &= ok;
            explanations.Add(explanation);
        }
        return (holds, explanations);
    }

    /// <summary>
    /// Adds the clauses a <see cref="RunQuery"/> can carry (metric and param predicates, tag equality) so the
    /// backend filters; callers still <see cref="Evaluate"/> each result for the rest (tag inequality).
    /// </summary>
    /// <param name="query">The query to extend.</param>
    public RunQuery ApplyTo(RunQuery query)
    {
        var tags = new Dictionary<string, string>(query.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var clause in Clauses.Where(c => c.Scope == ClauseScope.Tag && c.Operator == ComparisonOperator.Equal))
        {
            tags[clause.Key] = clause.Value;
        }
        return query with
        {
            Metrics = [.. query.Metrics, .. Clauses.Where(c => c.Scope == ClauseScope.Metric).Select(c => new MetricPredicate(c.Key, c.Operator, c.Number!.Value))],
            Params = [.. query.Params, .. Clauses.Where(c => c.Scope == ClauseScope.Param).Select(c => new ParamPredicate(c.Key, c.Operator, c.Value))],
            Tags = tags.Count == 0 ? query.Tags : tags,
        };
    }

    [GeneratedRegex(@"\s+and\s+|\s*&&\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AndPattern();

    [GeneratedRegex(@"^\s*(?<scope>metrics|params|tags)\.(?<key>[^\s<>=!]+)\s*(?<op>>=|<=|==|!=|=|>|<)\s*(?<value>\S.*?)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClausePattern();
}

/// <summary>What a clause compares.</summary>
internal enum ClauseScope
{
    /// <summary>A run's latest metric value.</summary>
    Metric,
    /// <summary>A run param.</summary>
    Param,
    /// <summary>A run tag.</summary>
    Tag,
}

/// <summary>One comparison of a <see cref="RunCondition"/>.</summary>
/// <param name="Scope">What is compared.</param>
/// <param name="Key">The metric, param or tag name.</param>
/// <param name="Operator">The comparison.</param>
/// <param name="Value">The right-hand side as written.</param>
/// <param name="Number">The right-hand side as a number, for metrics.</param>
internal sealed record Clause(ClauseScope Scope, string Key, ComparisonOperator Operator, string Value, double? Number)
{
    private string Symbol => Operator switch
    {
        ComparisonOperator.GreaterThanOrEqual => ">=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.NotEqual => "!=",
        _ => "=",
    };

    private string Name => $"{Scope switch { ClauseScope.Metric => "metrics", ClauseScope.Param => "params", _ => "tags" }}.{Key}";

    /// <summary>Whether the clause holds on <paramref name="run"/>, and why.</summary>
    /// <param name="run">The run.</param>
    public (bool Holds, string Explanation) Evaluate(Run run)
    {
        if (Scope == ClauseScope.Metric)
        {
            if (!run.Metrics.TryGetValue(Key, out var actual))
            {
                return (false, $"{Name} is not logged on run {RunReferences.Format(run)}");
            }
            var holds = Operator switch
            {
                ComparisonOperator.GreaterThanOrEqual => actual >= Number,
                ComparisonOperator.GreaterThan => actual > Number,
                ComparisonOperator.LessThanOrEqual => actual <= Number,
                ComparisonOperator.LessThan => actual < Number,
                ComparisonOperator.NotEqual => actual != Number,
                _ => actual == Number,
            };
            return (holds, $"{Name} = {Format.Number(actual)} {(holds ? "" : "not ")}{Symbol} {Value}");
        }
        var map = Scope == ClauseScope.Param ? run.Params : run.Tags;
        var present = map.TryGetValue(Key, out var text);
        var equal = present && string.Equals(text, Value, StringComparison.Ordinal);
        var ok = Operator == ComparisonOperator.NotEqual ? !equal : equal;
        var shown = present ? $"'{text}'" : "absent";
        return (ok, $"{Name} is {shown}, {(ok ? "" : "not ")}{Symbol} '{Value}'");
    }

    /// <summary>Whether the clause holds (no explanation).</summary>
    /// <param name="run">The run.</param>
    public bool Holds(Run run) => Evaluate(run).Holds;
}
