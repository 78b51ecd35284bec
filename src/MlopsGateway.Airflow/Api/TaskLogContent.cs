using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MlopsGateway.Airflow.Api;

/// <summary>
/// Decodes task-log chunks of both dialects into text, and log continuation tokens into their
/// <c>end_of_log</c> flag. Airflow 2 sends <c>content</c> as a Python repr of a list of
/// <c>(host, text)</c> tuples (<c>"[('vm', \"line\\n\")]"</c>); Airflow 3 sends a JSON list of
/// structured messages (<c>{"event": …, "timestamp": …}</c>) or plain strings.
/// </summary>
internal static class TaskLogContent
{
    /// <summary>The text of one chunk, hosts dropped, messages joined by newlines.</summary>
    public static string ToText(JsonElement? content)
    {
        if (content is not { } c)
        {
            return "";
        }
        switch (c.ValueKind)
        {
            case JsonValueKind.String:
                var raw = c.GetString() ?? "";
                return TryParsePythonHostTuples(raw, out var parts) ? string.Concat(parts.Select(p => p.Text)) : raw;
            case JsonValueKind.Array:
                var sb = new StringBuilder();
                foreach (var item in c.EnumerateArray())
                {
                    var line = item.ValueKind switch
                    {
                        JsonValueKind.String => item.GetString(),
                        JsonValueKind.Object when item.TryGetProperty("event", out var e) => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText(),
                        _ => item.GetRawText(),
                    };
                    sb.Append(line).Append('\n');
                }
                return sb.ToString();
            default:
                return "";
        }
    }

    /// <summary>Splits text into lines (LF or CRLF), dropping the empty remainder after a final newline.</summary>
    public static IEnumerable<string> Lines(string text)
    {
        if (text.Length == 0)
        {
            yield break;
        }
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            yield return lines[i];
        }
    }

    /// <summary>
    /// Whether a continuation token says the log is complete: v2 sends null at the end; both dialects
    /// sign a JSON payload <c>{"end_of_log": bool, "log_pos": n}</c> with itsdangerous (base64url
    /// payload, a leading '.' when zlib-compressed). Null when the token cannot be decoded.
    /// </summary>
    public static bool? IsEndOfLog(string? token)
    {
        if (token is null)
        {
            return true;
        }
        var payload = DecodeToken(token);
        return payload?.EndOfLog;
    }

    /// <summary>Decodes a continuation token's payload without verifying its signature; null when it is not one.</summary>
    public static LogTokenPayload? DecodeToken(string token)
    {
        try
        {
            var compressed = token.StartsWith('.');
            var body = compressed ? token[1..] : token;
            var dot = body.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
            {
                return null;
            }
            var bytes = Base64UrlDecode(body[..dot]);
            if (compressed)
            {
                using var input = new MemoryStream(bytes);
                using var z = new ZLibStream(input, CompressionMode.Decompress);
                using var output = new MemoryStream();
                z.CopyTo(output);
                bytes = output.ToArray();
            }
            return JsonSerializer.Deserialize(bytes, AirflowJsonContext.Default.LogTokenPayload);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidDataException)
        {
            return null;
        }
    }

    private static byte[] Base64UrlDecode(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        return Convert.FromBase64String(padded);
    }

    /// <summary>Parses <c>[('host', 'text'), ...]</c> written with Python's repr rules; false when the text has another shape.</summary>
    public static bool TryParsePythonHostTuples(string s, out List<(string Host, string Text)> parts)
    {
        parts = [];
        var i = 0;
        SkipWs(s, ref i);
        if (!Eat(s, ref i, '['))
        {
            return false;
        }
        SkipWs(s, ref i);
        if (Eat(s, ref i, ']'))
        {
            return AtEnd(s, i);
        }
        while (true)
        {
            SkipWs(s, ref i);
            if (!Eat(s, ref i, '('))
            {
                return false;
            }
            SkipWs(s, ref i);
            if (!TryReadPyString(s, ref i, out var host))
            {
                return false;
            }
            SkipWs(s, ref i);
            if (!Eat(s, ref i, ','))
            {
                return false;
            }
            SkipWs(s, ref i);
            if (!TryReadPyString(s, ref i, out var text))
            {
                return false;
            }
            SkipWs(s, ref i);
            Eat(s, ref i, ',');
            SkipWs(s, ref i);
            if (!Eat(s, ref i, ')'))
            {
                return false;
            }
            parts.Add((host, text));
            SkipWs(s, ref i);
            if (Eat(s, ref i, ']'))
            {
                return AtEnd(s, i);
            }
            if (!Eat(s, ref i, ','))
            {
                return false;
            }
        }
    }

    private static bool AtEnd(string s, int i)
    {
        SkipWs(s, ref i);
        return i == s.Length;
    }

    private static void SkipWs(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static bool Eat(string s, ref int i, char c)
    {
        if (i < s.Length && s[i] == c)
        {
            i++;
            return true;
        }
        return false;
    }

    private static bool TryReadPyString(string s, ref int i, out string value)
    {
        value = "";
        if (i >= s.Length || (s[i] != '\'' && s[i] != '"'))
        {
            return false;
        }
        var quote = s[i++];
        var sb = new StringBuilder();
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == quote)
            {
                value = sb.ToString();
                return true;
            }
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (i >= s.Length)
            {
                return false;
            }
            var e = s[i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '0': sb.Append('\0'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'x' when TryHex(s, ref i, 2, out var x): sb.Append((char)x); break;
                case 'u' when TryHex(s, ref i, 4, out var u): sb.Append((char)u); break;
                case 'U' when TryHex(s, ref i, 8, out var cp): sb.Append(char.ConvertFromUtf32(cp)); break;
                default: sb.Append('\\').Append(e); break;
            }
        }
        return false;
    }

    private static bool TryHex(string s, ref int i, int digits, out int value)
    {
        value = 0;
        if (i + digits > s.Length || !int.TryParse(s.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }
        i += digits;
        return true;
    }
}
