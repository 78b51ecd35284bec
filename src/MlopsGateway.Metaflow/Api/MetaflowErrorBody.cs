using System.Net;
using System.Text.Json;

namespace MlopsGateway.Metaflow.Api;

/// <summary>
/// Reads the metadata service's inconsistent error bodies (all observed on 2.5.1): <c>{}</c> on a missing
/// object; a JSON <i>string</i> holding <c>{"err_msg": {pgcode, pgerror, diag}}</c> on create conflicts
/// (23505) and missing parents (23503); problem JSON with a Python traceback on a 500; <c>{"message"}</c>
/// on 400; a bare JSON string on tag-mutation errors (400/422/409); plain text from aiohttp. The traceback is
/// never copied into messages.
/// </summary>
internal static class MetaflowErrorBody
{
    /// <summary>PostgreSQL unique violation: the object already exists.</summary>
    public const string UniqueViolation = "23505";

    /// <summary>PostgreSQL foreign-key violation: the parent object does not exist.</summary>
    public const string ForeignKeyViolation = "23503";

    /// <summary>Extracts a code, a one-line message and, where the body says more than the status, the error kind.</summary>
    public static (string? Code, string? Message, bool? ParentMissing) Read(HttpStatusCode status, string body)
    {
        var text = body?.Trim() ?? "";
        if (text.Length == 0)
        {
            return (null, null, null);
        }
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, FirstLines(text), null);
        }

        // One level of JSON-in-a-string (409/404 err_msg, heartbeats); a string that is not JSON is the message.
        if (root.ValueKind == JsonValueKind.String)
        {
            var inner = root.GetString() ?? "";
            try
            {
                using var doc = JsonDocument.Parse(inner);
                root = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                return (null, FirstLines(inner), null);
            }
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, FirstLines(inner), null);
            }
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, FirstLines(text), null);
        }

        if (root.TryGetProperty("err_msg", out var err))
        {
            if (err.ValueKind == JsonValueKind.Object)
            {
                var code = err.TryGetProperty("pgcode", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                string? message = null;
                if (err.TryGetProperty("diag", out var diag) && diag.ValueKind == JsonValueKind.Object
                    && diag.TryGetProperty("message_primary", out var primary) && primary.ValueKind == JsonValueKind.String)
                {
                    message = primary.GetString();
                }
                if (err.TryGetProperty("pgerror", out var pg) && pg.ValueKind == JsonValueKind.String)
                {
                    // "ERROR:  duplicate key …\nDETAIL:  Key (flow_id)=(X) already exists.\n": the DETAIL line names the key.
                    var detail = pg.GetString()!.Split('\n').FirstOrDefault(l => l.StartsWith("DETAIL:", StringComparison.Ordinal));
                    message = detail is null ? message ?? FirstLines(pg.GetString()!) : $"{message}. {detail["DETAIL:".Length..].Trim()}";
                }
                if (message is null && err.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    message = type.GetString();
                }
                return (code, message, code == ForeignKeyViolation ? true : null);
            }
            return (null, err.ValueKind == JsonValueKind.String ? FirstLines(err.GetString()!) : err.GetRawText(), null);
        }
        if (root.TryGetProperty("detail", out var problemDetail) && problemDetail.ValueKind == JsonValueKind.String)
        {
            var detail = problemDetail.GetString()!;
            var title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            // A KeyError on 'run_number' is how 2.5.1 reports a step created under a missing run.
            return (null, title is null ? detail : $"{title}: {detail}", detail == "'run_number'" ? true : null);
        }
        if (root.TryGetProperty("message", out var msg) && msg.ValueKind == JsonValueKind.String)
        {
            return (null, msg.GetString(), null);
        }
        if (root.TryGetProperty("wait_time_in_seconds", out _))
        {
            return (null, "the heartbeat updated no row (the object is missing, or it beat less than 10 s ago)", null);
        }
        return (null, status == HttpStatusCode.NotFound ? "not found" : null, null);
    }

    private static string FirstLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var joined = string.Join(" ", lines.Take(3));
        return joined.Length > 300 ? joined[..300] + "…" : joined;
    }
}
