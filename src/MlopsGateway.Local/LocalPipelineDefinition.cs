using System.Text;
using System.Text.Json;

namespace MlopsGateway.Local;

/// <summary>
/// The uploadable Local pipeline definition: a JSON object <c>{"steps": ["load", "train"], "description": "…"}</c>
/// naming, in execution order, step handlers registered with <see cref="LocalPipelineClient.RegisterStep(string, LocalStepHandler)"/>.
/// Strict on purpose: any other property, a duplicate or badly formed step name, or content that is not JSON is rejected.
/// </summary>
internal sealed record LocalPipelineDefinition(IReadOnlyList<string> Steps, string? Description)
{
    /// <summary>The largest definition accepted; real ones are a few hundred bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Parses <paramref name="text"/>, throwing <paramref name="invalid"/>(what is wrong) when it is not a valid definition.</summary>
    public static LocalPipelineDefinition Parse(string text, Func<string, Exception> invalid)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw invalid($"The definition is not valid JSON ({ex.Message}); expected {{\"steps\": [\"step-a\", \"step-b\"]}}.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw invalid("The definition must be a JSON object such as {\"steps\": [\"step-a\", \"step-b\"]}.");
            }
            List<string>? steps = null;
            string? description = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "steps":
                        steps = ParseSteps(property.Value, invalid);
                        break;
                    case "description" when property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                        description = property.Value.GetString();
                        break;
                    case "description":
                        throw invalid("The definition's \"description\" must be a string.");
                    default:
                        throw invalid($"The definition has an unknown property \"{property.Name}\"; only \"steps\" and \"description\" are allowed.");
                }
            }
            return new LocalPipelineDefinition(steps ?? throw invalid("The definition has no \"steps\" array."), description);
        }
    }

    private static List<string> ParseSteps(JsonElement value, Func<string, Exception> invalid)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw invalid("The definition's \"steps\" must be a non-empty array of step names.");
        }
        var steps = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (!LocalPipelineClient.IsValidName(name))
            {
                throw invalid($"Step {item.GetRawText()} must be a string of 1 to 100 letters, digits, '.', '_' or '-'.");
            }
            if (steps.Contains(name!, StringComparer.Ordinal))
            {
                throw invalid($"Step '{name}' appears twice; step names are task ids and must be unique in a pipeline.");
            }
            steps.Add(name!);
        }
        return steps;
    }

    /// <summary>Reads at most <see cref="MaxBytes"/> of UTF-8 (a byte-order mark is skipped).</summary>
    public static async Task<string> ReadAsync(Stream content, Func<string, Exception> invalid, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await content.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
            {
                throw invalid($"The definition is larger than {MaxBytes} bytes.");
            }
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw invalid("The definition is not UTF-8 text.");
        }
    }
}
