using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>Serves a recording as a healthy server: each request gets the last recorded success with its method and path (same query preferred).</summary>
internal static class RecordedAnswers
{
    private static readonly Dictionary<string, IReadOnlyList<RecordedExchange>> s_loaded = [];
    private static readonly string[] s_headers = ["Content-Type", "Content-Disposition", "Retry-After", "X-Next-Cursor", "METADATA_SERVICE_VERSION"];

    public static IReadOnlyList<RecordedExchange> Load(string file)
    {
        lock (s_loaded)
        {
            return s_loaded.TryGetValue(file, out var exchanges) ? exchanges : s_loaded[file] = Recordings.Load(file);
        }
    }

    public static RecordedExchange Exchange(string file, string id) => Load(file).Single(e => e.Id == id);

    /// <summary>Answers every request the routes do not from the recording.</summary>
    public static FakeServer ServeRecording(this FakeServer server, string file)
    {
        var recording = Load(file);
        return server.Fallback(request =>
        {
            var query = request.QueryPairs.Select(p => (p.Key, p.Value)).ToHashSet();
            var answer = recording
                .Where(e => e.Status < 300 && string.Equals(e.Method, request.Method, StringComparison.OrdinalIgnoreCase) && RecordedServer.SamePath(e, request.RawPath))
                .OrderByDescending(e => e.Query.Select(q => (q.Key, q.Value)).ToHashSet().SetEquals(query))
                .LastOrDefault();
            return answer is null ? FakeResponse.JsonText(404, """{"detail": "not recorded"}""") : RecordedAnswers.Respond(answer);
        });
    }

    /// <summary>The recorded answer as a response: status, the headers that matter to clients, the body as sent.</summary>
    public static FakeResponse Respond(RecordedExchange exchange)
    {
        var headers = s_headers.Select(name => (name, Value: exchange.ResponseHeader(name))).Where(h => h.Value is not null)
            .Select(h => new KeyValuePair<string, string>(h.name, h.Value!)).ToArray();
        var body = exchange.Status == 204 || (exchange.ResponseText == "null" && exchange.ResponseBody is null) ? null : System.Text.Encoding.UTF8.GetBytes(exchange.ResponseText);
        return new FakeResponse { Status = exchange.Status, Headers = headers, Body = body };
    }
}
