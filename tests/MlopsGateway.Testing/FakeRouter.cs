namespace MlopsGateway.Testing;

/// <summary>Routes a fake's requests by method and path template, matching the raw path segment by segment.</summary>
internal sealed class FakeRouter
{
    private readonly List<(string Method, string[] Template, Func<FakeRequest, Task<FakeResponse>> Handler)> _routes = [];

    public Func<FakeRequest, Task<FakeResponse>> Fallback { get; set; } = _ =>
        Task.FromResult(FakeResponse.JsonText(404, """{"note": "FakeServer: no route for this request"}"""));

    public void Add(string method, string template, Func<FakeRequest, Task<FakeResponse>> handler)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(handler);
        lock (_routes)
        {
            _routes.Add((method, Segments(template), handler));
        }
    }

    public async Task<FakeResponse> DispatchAsync(FakeRequest request, CancellationToken stopping)
    {
        var segments = Segments(request.RawPath);
        (string Method, string[] Template, Func<FakeRequest, Task<FakeResponse>> Handler)[] routes;
        lock (_routes)
        {
            routes = [.. _routes];
        }
        foreach (var (method, template, handler) in routes)
        {
            if ((method == "*" || string.Equals(method, request.Method, StringComparison.OrdinalIgnoreCase)) && Match(template, segments) is { } values)
            {
                request.RouteValues = values;
                return await handler(request).WaitAsync(stopping).ConfigureAwait(false);
            }
        }
        return await Fallback(request).WaitAsync(stopping).ConfigureAwait(false);
    }

    /// <summary>Whether some route's template matches <paramref name="rawPath"/>, whatever its method.</summary>
    public bool MatchesAnyRoute(string rawPath)
    {
        var segments = Segments(rawPath);
        lock (_routes)
        {
            return _routes.Any(r => Match(r.Template, segments) is not null);
        }
    }

    private static string[] Segments(string path) => path.Trim('/').Split('/');

    private static Dictionary<string, string>? Match(string[] template, string[] raw)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Length; i++)
        {
            var part = template[i];
            if (part.StartsWith("{**", StringComparison.Ordinal))
            {
                values[part[3..^1]] = string.Join('/', raw.Skip(i).Select(Uri.UnescapeDataString));
                return values;
            }
            if (i >= raw.Length)
            {
                return null;
            }
            var segment = Uri.UnescapeDataString(raw[i]);
            if (part.StartsWith('{'))
            {
                values[part[1..^1]] = segment;
            }
            else if (!string.Equals(part, segment, StringComparison.Ordinal))
            {
                return null;
            }
        }
        return template.Length == raw.Length ? values : null;
    }
}
