using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MlopsGateway.Cli;

/// <summary>Serializes the documented <c>--json</c> shapes (source-generated, no reflection).</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions s_compact = new(CliJsonContext.Default.Options) { WriteIndented = false };

    /// <summary>Writes an indented document followed by a newline.</summary>
    /// <param name="writer">stdout.</param>
    /// <param name="value">The document.</param>
    /// <param name="type">Its type info.</param>
    public static void Write<T>(TextWriter writer, T value, JsonTypeInfo<T> type)
    {
        writer.WriteLine(JsonSerializer.Serialize(value, type));
        writer.Flush();
    }

    /// <summary>Writes a compact object on one line (JSON Lines).</summary>
    /// <param name="writer">stdout.</param>
    /// <param name="value">The object.</param>
    /// <param name="type">Its type info.</param>
    public static void WriteLine<T>(TextWriter writer, T value, JsonTypeInfo<T> type)
    {
        writer.WriteLine(JsonSerializer.Serialize(value, (JsonTypeInfo<T>)s_compact.GetTypeInfo(typeof(T))));
        writer.Flush();
    }
}
