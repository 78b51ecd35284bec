using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MlopsGateway.MLflow.Tests.Fake;

/// <summary>One parsed clause of an MLflow search filter: identifier (normalized), comparator, literal.</summary>
internal sealed record FilterClause(string Entity, string Key, string Op, object? Value);

/// <summary>Thrown by the fake's filter parser; becomes a 400 INVALID_PARAMETER_VALUE.</summary>
internal sealed class FakeBadRequest(string message) : Exception(message);

/// <summary>
/// A small re-implementation of MLflow's search-filter grammar as 2.17.2 answers it (search_utils.py):
/// clauses joined by AND only, quoted keys, string and numeric literals, IN lists only on run_id.
/// Written from the digest and the recorded error messages, independently of the adapter's filter builder.
/// </summary>
internal static partial class FakeFilter
{
    private static readonly string[] s_comparators = ["<=", ">=", "!=", "=", "<", ">"];

    public static List<FilterClause> Parse(string? filter, string orMessage)
    {
        var result = new List<FilterClause>();
        if (string.IsNullOrWhiteSpace(filter))
        {
            return result;
        }
        foreach (var clause in SplitAnd(filter, orMessage))
        {
            result.Add(ParseClause(clause));
        }
        return result;
    }

    private static List<string> SplitAnd(string filter, string orMessage)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var words = Tokenize(filter);
        foreach (var word in words)
        {
            if (word.Equals("AND", StringComparison.OrdinalIgnoreCase))
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            if (word.Equals("OR", StringComparison.OrdinalIgnoreCase))
            {
                throw new FakeBadRequest(orMessage);
            }
            current.Append(word).Append(' ');
        }
        parts.Add(current.ToString().Trim());
        return parts.Where(p => p.Length > 0).ToList();
    }

    /// <summary>Splits on whitespace outside quotes, backticks and parentheses.</summary>
    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char quote = '\0';
        var depth = 0;
        foreach (var c in text)
        {
            if (quote != '\0')
            {
                current.Append(c);
                if (c == quote)
                {
                    quote = '\0';
                }
                continue;
            }
            if (c is '\'' or '"' or '`')
            {
                quote = c;
                current.Append(c);
                continue;
            }
            if (c == '(') depth++;
            if (c == ')') depth--;
            if (char.IsWhiteSpace(c) && depth == 0)
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }

    private static FilterClause ParseClause(string clause)
    {
        var match = ClauseRegex().Match(clause);
        if (!match.Success)
        {
            var op = OpRegex().Match(clause);
            if (op.Success)
            {
                throw new FakeBadRequest($"Invalid comparator '{op.Value}' not one of '{{'<', '=', '>', '<=', '>=', '!='}}");
            }
            throw new FakeBadRequest($"Invalid filter '{clause}'. Could not be parsed.");
        }
        var prefix = match.Groups["prefix"].Success ? match.Groups["prefix"].Value.TrimEnd('.').ToLowerInvariant() : "";
        var key = Unquote(match.Groups["key"].Value);
        var comparator = Regex.Replace(match.Groups["op"].Value.ToUpperInvariant(), @"\s+", " ");
        if (comparator.Length > 0 && comparator.All(c => "<>=!".Contains(c)) && !s_comparators.Contains(comparator))
        {
            throw new FakeBadRequest($"Invalid comparator '{comparator}' not one of '{{'<', '=', '>', '<=', '>=', '!='}}");
        }
        var entity = prefix switch
        {
            "metric" or "metrics" => "metric",
            "param" or "params" or "parameter" or "parameters" => "param",
            "tag" or "tags" => "tag",
            "attribute" or "attributes" or "attr" or "run" or "" => "attribute",
            "dataset" or "datasets" => "dataset",
            _ => throw new FakeBadRequest($"Invalid entity type '{prefix}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"),
        };
        var raw = match.Groups["value"].Value.Trim();
        if (raw.Length == 0 && !comparator.StartsWith("IS", StringComparison.Ordinal))
        {
            // A comparison without a value (a dangling LIKE) does not parse as a clause at all.
            throw new FakeBadRequest($"Invalid clause(s) in filter string: {string.Join(", ", Tokenize(clause))}");
        }
        object? value;
        if (comparator is "IN" or "NOT IN")
        {
            if (!(entity == "attribute" && key == "run_id"))
            {
                throw new FakeBadRequest("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
            }
            value = raw.Trim('(', ')').Split(',').Select(v => Unquote(v.Trim())).ToList();
        }
        else if (raw.Length > 0 && raw[0] is '\'' or '"')
        {
            value = Unquote(raw);
        }
        else if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
        }
        else
        {
            value = raw.Length == 0 ? null : raw;
        }
        return new FilterClause(entity, key, comparator, value);
    }

    public static string Unquote(string text)
        => text.Length >= 2 && text[0] == text[^1] && text[0] is '\'' or '"' or '`' ? text[1..^1] : text;

    /// <summary>Evaluates one clause against a value the caller resolved (string, double or null when absent).</summary>
    public static bool Matches(FilterClause clause, object? actual)
    {
        switch (clause.Op)
        {
            case "IN":
                return actual is string s && ((List<string>)clause.Value!).Contains(s);
            case "NOT IN":
                return actual is string n && !((List<string>)clause.Value!).Contains(n);
            case "IS NULL":
                return actual is null;
            case "IS NOT NULL":
                return actual is not null;
            case "LIKE":
            case "ILIKE":
                if (actual is not string text || clause.Value is not string pattern)
                {
                    return false;
                }
                var regex = "^" + Regex.Escape(pattern).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$";
                return Regex.IsMatch(text, regex, clause.Op == "ILIKE" ? RegexOptions.IgnoreCase | RegexOptions.Singleline : RegexOptions.Singleline);
        }
        if (actual is null)
        {
            return false;
        }
        int cmp;
        if (actual is double d && clause.Value is double v)
        {
            cmp = d.CompareTo(v);
        }
        else if (actual is double d2 && clause.Value is string sv && double.TryParse(sv, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            cmp = d2.CompareTo(parsed);
        }
        else
        {
            cmp = string.CompareOrdinal(Convert.ToString(actual, CultureInfo.InvariantCulture), Convert.ToString(clause.Value, CultureInfo.InvariantCulture));
        }
        return clause.Op switch
        {
            "=" => cmp == 0,
            "!=" => cmp != 0,
            "<" => cmp < 0,
            "<=" => cmp <= 0,
            ">" => cmp > 0,
            ">=" => cmp >= 0,
            _ => false,
        };
    }

    [GeneratedRegex(@"^(?<prefix>[A-Za-z_]+\.)?(?<key>`[^`]+`|""[^""]+""|[\w\-/:.]+?)\s*(?<op>(?i:NOT\s+IN|ILIKE|LIKE|IN|IS\s+NOT\s+NULL|IS\s+NULL)|[<>=!]+)\s*(?<value>.*)$", RegexOptions.Singleline)]
    private static partial Regex ClauseRegex();

    [GeneratedRegex(@"[<>=!]+")]
    private static partial Regex OpRegex();
}
