using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Get_run_through_di_maps_the_response()
    {
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", r =>
            FakeResponse.JsonText(200, $$"""{"id":"{{r.Route("id")}}","name":"n","status":"done"}"""));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var backend = sp.GetRequiredService<IMlopsBackend>();

        var run = await backend.Runs.GetAsync("a:b+c");

        run.Id.Should().Be("a:b+c");
        run.Status.Should().Be(RunStatus.Succeeded);
        run.Backend.Should().Be("t");
        server.Requests.Should().ContainSingle().Which.Path.Should().Be("/runs/a:b+c");
    }
}
