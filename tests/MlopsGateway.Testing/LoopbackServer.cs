using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlopsGateway.Testing;

/// <summary>
/// OBSOLESCENT: <see cref="FakeServer"/> (WireMock.Net) replaces it; kept only until the Airflow, Kubeflow and
/// Metaflow test projects move their fakes onto <see cref="FakeServer"/>.
/// An in-process Kestrel server on 127.0.0.1 with an OS-chosen port, for fakes and fault injection.
/// Records every request it receives (method, path and query, headers, body) so tests can assert exact
/// wire traffic — including that none was sent.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>The server's base address, with a trailing slash (e.g. <c>http://127.0.0.1:43123/</c>).</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Starts a server whose endpoints <paramref name="configure"/> maps (minimal APIs or middleware).</summary>
    /// <param name="configure">Maps routes on the app.</param>
    /// <param name="recordBodies">Buffer and record request bodies (disable for large streaming uploads).</param>
    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> configure, bool recordBodies = true)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Limits.MaxRequestBodySize = null);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Use(async (context, next) =>
        {
            string? body = null;
            if (recordBodies && context.Request.ContentLength is null or > 0 && context.Request.ContentLength is not > 4_000_000)
            {
                context.Request.EnableBuffering();
                using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
                body = await reader.ReadToEndAsync(context.RequestAborted);
                context.Request.Body.Position = 0;
            }
            server._requests.Enqueue(new RecordedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body)
            {
                RawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget
                    ?? (context.Request.Path.Value ?? "") + (context.Request.QueryString.Value ?? ""),
                Sequence = server._requests.Count,
            });
            await next(context);
        });
        configure(app);
        await app.StartAsync();
        var address = app.Urls.First();
        server.BaseUri = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Small helpers for writing fake endpoints.</summary>
public static class FakeResults
{
    /// <summary>Writes raw text with a status and content type.</summary>
    public static IResult Text(int status, string body, string contentType = "application/json")
        => Results.Text(body, contentType, statusCode: status);
}
