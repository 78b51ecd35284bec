using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace MlopsGateway.Cli.Tests;

public sealed class BackendsCommandTests
{
    [Fact]
    public async Task Lists_every_backend_with_kind_health_version_and_capabilities()
    {
        using var workspace = new Workspace("local", "archive");
        var text = (await workspace.Cli().RunAsync("backends")).ShouldExit(0).Stdout;
        text.Should().Contain("local").And.Contain("archive").And.Contain("Local").And.Contain("healthy").And.Contain("RunTracking").And.Contain("✓");
        text.Should().NotContain(Terminals.Escape, "redirected output has no colour");

        var json = (await workspace.Cli().RunAsync("backends", "--json")).ShouldExit(0).Json;
        ((string?)json["default"]).Should().Be("local");
        var local = json["backends"]!.AsArray().Single(b => (string?)b!["name"] == "local")!;
        ((string?)local["kind"]).Should().Be("Local");
        ((bool)local["isDefault"]!).Should().BeTrue();
        ((bool)local["healthy"]!).Should().BeTrue();
        ((string?)local["serverVersion"]).Should().NotBeNullOrEmpty();
        ((string?)local["description"]).Should().Contain("local.db");
        ((string?)local["capabilities"]!["Metrics"]).Should().Be("native");
        local["capabilities"]!.AsObject().Count.Should().Be(Enum.GetValues<MlopsCapability>().Length);
        ((int)local["limits"]!["maxMetricsPerBatch"]!).Should().Be(5000);
    }

    [Fact]
    public async Task An_unreachable_backend_is_unhealthy_and_the_exit_code_is_3()
    {
        using var workspace = new Workspace("local");
        workspace.Add("tracking", new JsonObject
        {
            ["Type"] = "MLflow",
            ["BaseUrl"] = $"http://127.0.0.1:{ClosedPort()}",
            ["Resilience"] = new JsonObject { ["MaxRetryAttempts"] = 0 },
        });
        var json = (await workspace.Cli().RunAsync("backends", "--json")).ShouldExit(3).Json;
        var tracking = json["backends"]!.AsArray().Single(b => (string?)b!["name"] == "tracking")!;
        ((bool)tracking["healthy"]!).Should().BeFalse();
        ((string?)tracking["kind"]).Should().Be("MLflow");

        (await workspace.Cli().RunAsync("backends", "--backend", "local")).ShouldExit(0).Stdout.Should().NotContain("tracking");
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
