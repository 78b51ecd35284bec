namespace MlopsGateway.Testing;

/// <summary>
/// A <see cref="FakeServer"/> that answers like the real server did: the exchange under test (<see cref="Target"/>)
/// answers every request to its path with its recorded status, headers and body, so the adapter operation that
/// sends that request receives exactly what the real server sent. Any other request the operation makes first
/// (a version probe, a token exchange, a read before a write) is answered from <see cref="Overrides"/>, else from
/// the rest of the recording: the recorded success with the same method and path, preferring the same query,
/// then the latest one recorded before the target (the server's state at that moment). Anything else is 404.
/// </summary>
public sealed class RecordedServer : IAsyncDisposable
{
    private static readonly string[] s_headers =
        ["Content-Type", "Content-Disposition", "Allow", "WWW-Authenticate", "Retry-After", "Airflow-Continuation-Token", "METADATA_SERVICE_VERSION", "X-Next-Cursor"];

    private readonly IReadOnlyList<RecordedExchange> _context;
    private readonly Func<RecordedExchange, string>? _wireBody;
    private readonly FakeServer _server;
    private int _targetHits;

    private RecordedServer(IReadOnlyList<RecordedExchange> context, Func<RecordedExchange, string>? wireBody)
    {
        _context = context;
        _wireBody = wireBody;
        _server = FakeServer.Start().Fallback(Answer);
    }

    /// <summary>The server's base address.</summary>
    public Uri BaseUri => _server.BaseUri;

    /// <summary>Every request received since the target was set.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _server.Requests;

    /// <summary>The exchange whose response is under test; setting it clears the request log and the hit count.</summary>
    public RecordedExchange? Target
    {
        get;
        set
        {
            field = value;
            TargetMatchesAnyMethod = false;
            Overrides = [];
            Interlocked.Exchange(ref _targetHits, 0);
            _server.ClearRequests();
        }
    }

    /// <summary>
    /// Whether the target answers its path whatever the method: for recorded protocol errors (a GET on a POST-only
    /// route, a DELETE where the adapter POSTs) the question is what the operation on that path does with the answer.
    /// </summary>
    public bool TargetMatchesAnyMethod { get; set; }

    /// <summary>
    /// Answers for other requests that take precedence over the recording, for state the recording does not hold at
    /// the target's moment (a read the recorder sent but did not keep); reset when the target changes.
    /// </summary>
    public IReadOnlyList<RecordedExchange> Overrides { get; set; } = [];

    /// <summary>How many requests the target answered: zero means the operation never sent the recorded request.</summary>
    public int TargetHits => Volatile.Read(ref _targetHits);

    /// <summary>Starts the server over one recording file's exchanges.</summary>
    /// <param name="recording">All exchanges of the file: the context other requests are answered from.</param>
    /// <param name="wireBody">
    /// The exact body text the server sent for an exchange, where the recording keeps a decoded form (metaflow-service's
    /// JSON strings holding JSON); default <see cref="RecordedExchange.ResponseText"/>.
    /// </param>
    public static Task<RecordedServer> StartAsync(IReadOnlyList<RecordedExchange> recording, Func<RecordedExchange, string>? wireBody = null)
        => Task.FromResult(new RecordedServer(recording, wireBody));

    /// <summary>Whether a request (method, raw path) is the one <paramref name="exchange"/> recorded, comparing decoded paths.</summary>
    public static bool SamePath(RecordedExchange exchange, string rawPath)
        => Uri.UnescapeDataString(exchange.Path) == Uri.UnescapeDataString(rawPath);

    private FakeResponse Answer(FakeRequest request)
    {
        var rawPath = request.RawPath;
        var method = request.Method;
        var query = request.QueryPairs.Select(q => (q.Key, q.Value)).ToHashSet();
        RecordedExchange? answer;
        var target = Target;
        if (target is not null && SamePath(target, rawPath) && (TargetMatchesAnyMethod || string.Equals(target.Method, method, StringComparison.OrdinalIgnoreCase)))
        {
            Interlocked.Increment(ref _targetHits);
            answer = target;
        }
        else
        {
            var before = target is null ? _context.Count : IndexOf(target);
            answer = Overrides.Concat(_context)
                .Select((e, i) => (Exchange: e, Order: i < Overrides.Count ? -1 : i - Overrides.Count))
                .Where(c => c.Exchange.Status < 300 && string.Equals(c.Exchange.Method, method, StringComparison.OrdinalIgnoreCase) && SamePath(c.Exchange, rawPath))
                .OrderBy(c => c.Order < 0 ? 0 : 1)
                .ThenByDescending(c => c.Exchange.Query.Select(q => (q.Key, q.Value)).ToHashSet().SetEquals(query))
                .ThenBy(c => c.Order < before ? before - c.Order : int.MaxValue / 2 + c.Order)
                .Select(c => c.Exchange)
                .FirstOrDefault();
        }
        if (answer is null)
        {
            return FakeResponse.JsonText(404, """{"note": "RecordedServer: nothing recorded for this request"}""");
        }
        var response = FakeResponse.Empty(answer.Status);
        if (answer.Status != 204)
        {
            var body = _wireBody?.Invoke(answer) ?? (answer.ResponseText == "null" && answer.ResponseBody is null ? "" : answer.ResponseText);
            response = response with { Body = System.Text.Encoding.UTF8.GetBytes(body) };
        }
        foreach (var name in s_headers)
        {
            if (answer.ResponseHeader(name) is { } value)
            {
                response = response.WithHeader(name, value);
            }
        }
        return response;
    }

    private int IndexOf(RecordedExchange exchange)
    {
        for (var i = 0; i < _context.Count; i++)
        {
            if (ReferenceEquals(_context[i], exchange) || _context[i].Id == exchange.Id)
            {
                return i;
            }
        }
        return _context.Count;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
