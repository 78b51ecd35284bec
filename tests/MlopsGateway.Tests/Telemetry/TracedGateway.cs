using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>
/// The arrangement of the telemetry tests: a test backend <c>t</c> built through DI against a <see cref="FakeServer"/>
/// (by default one answering the tracking calls, <see cref="RunServer"/>), with spans exported the way a user
/// exports them (<see cref="ExportedSpans"/>).
/// </summary>
internal sealed class TracedGateway : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TracedGateway(ExportedSpans spans, FakeServer server, ServiceProvider services)
    {
        Spans = spans;
        Server = server;
        _services = services;
        Backend = services.GetRequiredService<IMlopsBackend>();
    }

    public ExportedSpans Spans { get; }
    public FakeServer Server { get; }
    public IMlopsBackend Backend { get; }

    /// <summary>Starts capturing, the server (with <paramref name="routes"/>, or the tracking routes) and the gateway.</summary>
    public static Task<TracedGateway> StartAsync(Action<FakeServer>? routes = null, TimeProvider? time = null, Action<BackendOptions>? tweak = null)
    {
        var spans = new ExportedSpans();
        var server = FakeServer.Start();
        (routes ?? RunServer.Route)(server);
        return Task.FromResult(new TracedGateway(spans, server, TestGateway.ForServer(server.BaseUri, tweak, time)));
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Server.DisposeAsync();
        Spans.Dispose();
    }
}
