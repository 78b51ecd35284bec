using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlopsGateway;

/// <summary>
/// The one rule for turning parameter values into strings (DESIGN.md §2): strings verbatim, numbers
/// in the invariant culture's round-trip format, anything else as compact JSON.
/// </summary>
public static class ParamFormatter
{
    /// <summary>Formats a CLR value.</summary>
    /// <param name="value">The value; null becomes <c>"null"</c>.</param>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        JsonNode node => Format(node),
        JsonElement element => Format(element),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Formats a JSON value: a JSON string verbatim, anything else as compact JSON text.</summary>
    /// <param name="node">The value; null is <c>"null"</c>.</param>
    public static string Format(JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }
        return node?.ToJsonString() ?? "null";
    }

    /// <summary>Formats a JSON element: a JSON string verbatim, anything else as compact JSON text.</summary>
    /// <param name="element">The value.</param>
    public static string Format(JsonElement element)
        => element.ValueKind == JsonValueKind.String ? element.GetString()! : JsonSerializer.Serialize(element, CoreJsonContext.Default.JsonElement);

    /// <summary>Formats every parameter of a trigger's JSON object, keeping order.</summary>
    /// <param name="parameters">The parameters; null gives an empty map.</param>
    public static IReadOnlyDictionary<string, string> FormatAll(JsonObject? parameters)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parameters is null)
        {
            return result;
        }
        foreach (var (key, value) in parameters)
        {
            result[key] = Format(value);
        }
        return result;
    }
}
