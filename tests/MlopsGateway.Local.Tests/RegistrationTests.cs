using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlopsGateway.Testing;

namespace MlopsGateway.Local.Tests;

public sealed class RegistrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<LocalBackendOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddMlopsGateway(configuration.GetSection("Mlops")).AddLocal(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Configuration_with_Type_Local_and_Path_builds_an_instrumented_Local_backend()
    {
        var path = _dir.File("configured.db");
        await using var services = Build(new() { ["Mlops:Backends:dev:Type"] = "local", ["Mlops:Backends:dev:Path"] = path },
            o => o.AddPipeline("hello", p => p.Step("say", ctx => ctx.Log.WriteLine("hi"))));
        using var spans = new ExportedSpans();
        using var root = ExportedSpans.StartTestRoot();

        var backend = services.GetRequiredService<IMlopsBackend>();
        backend.Kind.Should().Be("Local");
        backend.Name.Should().Be("dev");
        backend.GetService<LocalBackend>()!.DatabasePath.Should().Be(path);
        var pipelines = backend.GetService<LocalPipelineClient>();
        pipelines.Should().NotBeNull("the Local pipeline client is reachable through GetService");

        var run = await backend.Pipelines.TriggerAsync("hello");
        (await backend.Runs.WaitForCompletionAsync(run, new WaitOptions { InitialPollInterval = TimeSpan.FromMilliseconds(5) })).Status.Should().Be(RunStatus.Succeeded);
        File.Exists(path).Should().BeTrue();
        Directory.Exists(LocalBackend.DefaultArtifactsPath(path)).Should().BeTrue();

        var names = spans.InTrace(root.TraceId).Where(a => a.Source.Name == MlopsTelemetry.SourceName).Select(a => a.DisplayName).ToList();
        names.Should().Contain(["Pipelines.Trigger", "Runs.WaitForCompletion"]);
        spans.InTrace(root.TraceId).Should().Contain(a => a.DisplayName == "Pipelines.Trigger" && (string?)a.GetTagItem(MlopsTelemetry.BackendKindAttribute) == "Local");

        await FluentActions.Awaiting(() => backend.Runs.GetAsync("nope")).Should().ThrowAsync<MlopsNotFoundException>()
            .Where(e => e.Backend == "dev" && e.Operation == "Runs.Get");
    }

    [Fact]
    public void A_BaseUrl_on_a_Local_backend_fails_validation_naming_the_key()
    {
        using var services = Build(new() { ["Mlops:Backends:dev:Type"] = "Local", ["Mlops:Backends:dev:BaseUrl"] = "http://localhost:5000" });
        FluentActions.Invoking(() => services.GetRequiredService<IOptions<MlopsGatewayOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*Mlops:Backends:dev:BaseUrl*");
    }

    [Fact]
    public async Task Disposing_the_service_provider_disposes_in_memory_backends()
    {
        var services = Build(new() { ["Mlops:Backends:mem:Type"] = "Local", ["Mlops:Backends:mem:Path"] = ":memory:" });
        var local = services.GetRequiredService<IMlopsBackend>().GetService<LocalBackend>()!;
        var root = local.ArtifactsRoot;
        Directory.Exists(root).Should().BeTrue();
        await services.DisposeAsync();
        Directory.Exists(root).Should().BeFalse("the temporary artifact directory goes with the backend");
    }

    [Fact]
    public async Task Open_without_DI_uses_the_given_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var backend = LocalBackend.Open(LocalBackend.InMemoryPath, clock, "embedded");
        var run = await backend.Runs.CreateRunAsync((await backend.Runs.CreateExperimentAsync("clock")).Id);
        run.StartTime.Should().Be(clock.GetUtcNow());
        run.Backend.Should().Be("embedded");
        clock.Advance(TimeSpan.FromMinutes(5));
        (await backend.Runs.EndAsync(run, RunStatus.Succeeded)).EndTime.Should().Be(clock.GetUtcNow());
        (await backend.CheckHealthAsync()).IsHealthy.Should().BeTrue();
    }
}
