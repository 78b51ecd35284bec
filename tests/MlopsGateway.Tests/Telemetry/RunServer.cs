using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>A loopback server answering the tracking calls of <see cref="TestRunClient"/>: experiments, runs, log batches, end.</summary>
internal static class RunServer
{
    public static Task<LoopbackServer> StartAsync(Func<HttpContext, IResult?>? logBatch = null)
    {
        var next = 0;
        return LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/experiments/by-name", (string name) => Results.Text($$"""{"id":"e-{{name}}","name":"{{name}}"}""", "application/json"));
            app.MapPost("/runs", () => Results.Text($$"""{"id":"r{{Interlocked.Increment(ref next)}}","status":"running"}""", "application/json"));
            app.MapGet("/runs/{id}", (string id) => Results.Text($$"""{"id":"{{id}}","status":"running"}""", "application/json"));
            app.MapPost("/runs/{id}/log", (HttpContext context) => logBatch?.Invoke(context) ?? Results.Ok());
            app.MapPost("/runs/{id}/end", (string id, string status) =>
                Results.Text($$"""{"id":"{{id}}","status":"{{(status == "Succeeded" ? "done" : "failed")}}"}""", "application/json"));
            app.MapPut("/runs/{id}/artifacts/{**path}", () => Results.Ok());
        });
    }
}
