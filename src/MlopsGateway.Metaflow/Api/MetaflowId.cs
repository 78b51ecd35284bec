using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// A Metaflow run or task id as the service spells it: a server-assigned number (<c>24</c>) or a
/// caller-chosen string (<c>argo-…</c>). The wire mixes both, even within one response (step rows carry
/// a numeric run as the string <c>"24"</c>), so the id is kept as text and typed by its content.
/// </summary>
[JsonConverter(typeof(MetaflowIdConverter))]
internal readonly record struct MetaflowId(string Value)
{
    /// <summary>Whether the service wrote the id as a JSON string although it is a number, so it is written back so.</summary>
    public bool Quoted { get; init; }

    /// <summary>Ids are equal by their text, whatever their JSON kind on the wire.</summary>
    public bool Equals(MetaflowId other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value ?? "");

    /// <summary>Whether the id is a server-assigned number (the service looks digits up as numbers, anything else as a name).</summary>
    public bool IsNumeric => IsNumericText(Value);

    public static bool IsNumericText(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }

    public static implicit operator MetaflowId(string value) => new(value);

    public override string ToString() => Value;
}

/// <summary>Reads a JSON number or string into a <see cref="MetaflowId"/>; writes it back in the kind it was read (an id made in code: digits as a number).</summary>
internal sealed class MetaflowIdConverter : JsonConverter<MetaflowId>
{
    public override MetaflowId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt64(out var n) => new MetaflowId(n.ToString(CultureInfo.InvariantCulture)),
            JsonTokenType.String => new MetaflowId(reader.GetString()!) { Quoted = true },
            _ => throw new JsonException($"A Metaflow id must be a number or a string, not {reader.TokenType}."),
        };

    public override void Write(Utf8JsonWriter writer, MetaflowId value, JsonSerializerOptions options)
    {
        if (!value.Quoted && value.IsNumeric && long.TryParse(value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            writer.WriteNumberValue(n);
        }
        else
        {
            writer.WriteStringValue(value.Value);
        }
    }
}

/// <summary>Reads a JSON <c>null</c> tag list as empty (runs created without tags come back with <c>null</c>).</summary>
internal sealed class NullAsEmptyListConverter : JsonConverter<List<string>>
{
    public override bool HandleNull => true;

    public override List<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"A Metaflow tag list must be an array or null, not {reader.TokenType}.");
        }
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : JsonDocument.ParseValue(ref reader).RootElement.GetRawText());
        }
        return list;
    }

    public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }
        writer.WriteEndArray();
    }
}
