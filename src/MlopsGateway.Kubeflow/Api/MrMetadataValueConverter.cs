using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// Reads and writes Model Registry custom property values by their <c>metadataType</c> discriminator, whose
/// value keys are snake_case (<c>string_value</c>, <c>int_value</c> as an int64 string, …). Written by hand, so
/// it needs no reflection (trim/AOT-safe next to the source-generated context), accepts the discriminator in
/// any position, and keeps unknown types and members instead of failing.
/// </summary>
internal sealed class MrMetadataValueConverter : JsonConverter<MrMetadataValue>
{
    private const string Discriminator = "metadataType";

    public override MrMetadataValue? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"A custom property value must be a JSON object, not {root.ValueKind}.");
        }
        var type = root.TryGetProperty(Discriminator, out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        string[] known;
        MrMetadataValue value;
        switch (type)
        {
            case "MetadataStringValue":
                known = ["string_value"];
                value = new MrStringValue { StringValue = Str(root, "string_value") };
                break;
            case "MetadataIntValue":
                known = ["int_value"];
                value = new MrIntValue { IntValue = Int64(root, "int_value") };
                break;
            case "MetadataDoubleValue":
                known = ["double_value"];
                value = new MrDoubleValue { DoubleValue = root.TryGetProperty("double_value", out var dv) && dv.ValueKind == JsonValueKind.Number ? dv.GetDouble() : null };
                break;
            case "MetadataBoolValue":
                known = ["bool_value"];
                value = new MrBoolValue { BoolValue = root.TryGetProperty("bool_value", out var bv) && bv.ValueKind is JsonValueKind.True or JsonValueKind.False ? bv.GetBoolean() : null };
                break;
            case "MetadataStructValue":
                known = ["struct_value"];
                value = new MrStructValue { StructValue = Str(root, "struct_value") };
                break;
            case "MetadataProtoValue":
                known = ["type", "proto_value"];
                value = new MrProtoValue { Type = Str(root, "type"), ProtoValue = Str(root, "proto_value") };
                break;
            default:
                known = [];
                value = new MrMetadataValue();
                break;
        }
        Dictionary<string, JsonElement>? extra = null;
        foreach (var property in root.EnumerateObject())
        {
            var isKnown = known.Contains(property.Name, StringComparer.Ordinal) || (known.Length > 0 && property.Name == Discriminator);
            if (!isKnown)
            {
                (extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[property.Name] = property.Value.Clone();
            }
        }
        value.Extra = extra;
        return value;
    }

    public override void Write(Utf8JsonWriter writer, MrMetadataValue value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        switch (value)
        {
            case MrStringValue s:
                writer.WriteString(Discriminator, "MetadataStringValue");
                writer.WriteString("string_value", s.StringValue ?? "");
                break;
            case MrIntValue i:
                writer.WriteString(Discriminator, "MetadataIntValue");
                writer.WriteString("int_value", (i.IntValue ?? 0).ToString(CultureInfo.InvariantCulture));
                break;
            case MrDoubleValue dv:
                writer.WriteString(Discriminator, "MetadataDoubleValue");
                writer.WriteNumber("double_value", dv.DoubleValue ?? 0);
                break;
            case MrBoolValue b:
                writer.WriteString(Discriminator, "MetadataBoolValue");
                writer.WriteBoolean("bool_value", b.BoolValue ?? false);
                break;
            case MrStructValue st:
                writer.WriteString(Discriminator, "MetadataStructValue");
                writer.WriteString("struct_value", st.StructValue ?? "");
                break;
            case MrProtoValue p:
                writer.WriteString(Discriminator, "MetadataProtoValue");
                writer.WriteString("type", p.Type ?? "");
                writer.WriteString("proto_value", p.ProtoValue ?? "");
                break;
        }
        foreach (var (name, element) in value.Extra ?? [])
        {
            writer.WritePropertyName(name);
            element.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private static string? Str(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Int64(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v))
        {
            return null;
        }
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
        {
            return n;
        }
        return v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s : null;
    }
}
