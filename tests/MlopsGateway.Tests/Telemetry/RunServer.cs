using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>Routes answering the tracking calls of <see cref="TestRunClient"/> on a <see cref="FakeServer"/>: experiments, runs, log batches, end.</summary>
internal static class RunServer
{
    public static void Route(FakeServer server)
    {
        var next = 0;
        server
            .Route("GET", "/experiments/by-name", r => FakeResponse.JsonText(200, $$"""{"id":"e-{{r.Query("name")}}","name":"{{r.Query("name")}}"}"""))
            .Route("POST", "/runs", _ => FakeResponse.JsonText(200, $$"""{"id":"r{{Interlocked.Increment(ref next)}}","status":"running"}"""))
            .Route("GET", "/runs/{id}", r => FakeResponse.JsonText(200, $$"""{"id":"{{r.Route("id")}}","status":"running"}"""))
            .Route("POST", "/runs/{id}/log", _ => FakeResponse.Empty(200))
            .Route("POST", "/runs/{id}/end", r =>
                FakeResponse.JsonText(200, $$"""{"id":"{{r.Route("id")}}","status":"{{(r.Query("status") == "Succeeded" ? "done" : "failed")}}"}"""))
            .Route("PUT", "/runs/{id}/artifacts/{**path}", _ => FakeResponse.Empty(200));
    }
}
