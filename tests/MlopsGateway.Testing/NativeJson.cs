using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlopsGateway.Testing;

/// <summary>The normalisations an adapter's doc page declares for <c>Native</c>; anything else must be exact.</summary>
[Flags]
public enum NativeNormalization
{
    /// <summary>Property for property, values equal.</summary>
    None = 0,

    /// <summary>Properties whose recorded value is <c>null</c> may be absent from <c>Native</c> (docs/airflow.md).</summary>
    NullPropertiesOmitted = 1,
}

/// <summary>
/// Compares an object's <c>Native</c> with the JSON the server sent for it: same properties, same values
/// (numbers by value, so <c>1e+300</c> equals <c>1E+300</c>), arrays in order. Reports every difference by path.
/// </summary>
public static class NativeJson
{
    /// <summary>The differences between <paramref name="native"/> and <paramref name="recorded"/>; empty when they agree.</summary>
    /// <param name="native">What the adapter put in <c>Native</c>.</param>
    /// <param name="recorded">The object as recorded.</param>
    /// <param name="normalization">The normalisations the adapter documents.</param>
    public static IReadOnlyList<string> Differences(JsonElement? native, JsonNode? recorded, NativeNormalization normalization = NativeNormalization.None)
    {
        var problems = new List<string>();
        Compare(native is { } n ? JsonNode.Parse(n.GetRawText()) : null, recorded, "$", normalization, problems);
        return problems;
    }

    private static void Compare(JsonNode? actual, JsonNode? expected, string path, NativeNormalization normalization, List<string> problems)
    {
        switch (expected)
        {
            case null:
                if (actual is not null)
                {
                    problems.Add($"{path}: recorded null, Native {Short(actual)}");
                }
                return;
            case JsonObject eo:
                if (actual is not JsonObject ao)
                {
                    problems.Add($"{path}: recorded an object, Native {Short(actual)}");
                    return;
                }
                foreach (var (key, value) in eo)
                {
                    if (!ao.ContainsKey(key))
                    {
                        if (!(value is null && normalization.HasFlag(NativeNormalization.NullPropertiesOmitted)))
                        {
                            problems.Add($"{path}.{key}: recorded {Short(value)}, missing from Native");
                        }
                        continue;
                    }
                    Compare(ao[key], value, $"{path}.{key}", normalization, problems);
                }
                foreach (var (key, value) in ao)
                {
                    if (!eo.ContainsKey(key))
                    {
                        problems.Add($"{path}.{key}: not recorded, Native has {Short(value)}");
                    }
                }
                return;
            case JsonArray ea:
                if (actual is not JsonArray aa)
                {
                    problems.Add($"{path}: recorded an array, Native {Short(actual)}");
                    return;
                }
                if (aa.Count != ea.Count)
                {
                    problems.Add($"{path}: recorded {ea.Count} items, Native {aa.Count}");
                    return;
                }
                for (var i = 0; i < ea.Count; i++)
                {
                    Compare(aa[i], ea[i], $"{path}[{i}]", normalization, problems);
                }
                return;
            default:
                if (!SameValue(actual as JsonValue, (JsonValue)expected))
                {
                    problems.Add($"{path}: recorded {Short(expected)}, Native {Short(actual)}");
                }
                return;
        }
    }

    private static bool SameValue(JsonValue? actual, JsonValue expected)
    {
        if (actual is null || actual.GetValueKind() != expected.GetValueKind())
        {
            return false;
        }
        if (expected.GetValueKind() == JsonValueKind.Number)
        {
            var a = actual.ToJsonString();
            var e = expected.ToJsonString();
            return a == e || (decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var da) && decimal.TryParse(e, NumberStyles.Float, CultureInfo.InvariantCulture, out var de) && da == de)
                || double.Parse(a, CultureInfo.InvariantCulture).Equals(double.Parse(e, CultureInfo.InvariantCulture));
        }
        return JsonNode.DeepEquals(actual, expected);
    }

    private static string Short(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 80 ? text[..80] + "…" : text;
    }
}
