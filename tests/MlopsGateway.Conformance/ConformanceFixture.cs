using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;

namespace MlopsGateway.Conformance;

/// <summary>
/// What the conformance scenarios need from one backend under test. Derive one fixture per backend
/// (or per backend configuration) and one test class from <see cref="ConformanceSuite{TFixture}"/>.
/// The base builds the backend through the real DI registration (<c>AddMlopsGateway</c>), so spans,
/// errors and resilience are the ones users get. It registers, beside the backend under test (named
/// <see cref="BackendName"/>), a recording in-memory backend named <see cref="ProbeBackendName"/> and a
/// composite default backend with <c>Routing.Runs</c> sent to the probe, for the routing scenarios.
/// </summary>
public abstract class ConformanceFixture : IAsyncLifetime
{
    /// <summary>The configured name of the backend under test.</summary>
    public const string BackendName = "conformance";

    /// <summary>The configured name of the recording probe backend that Runs are routed to in the composite.</summary>
    public const string ProbeBackendName = "probe";

    private ServiceProvider? _services;
    private RoutingProbeBackend? _probe;

    /// <summary>The backend under test, as the provider returns it (wrapped by the core's telemetry decorator).</summary>
    public IMlopsBackend Backend { get; private set; } = null!;

    /// <summary>The default backend: a composite routing Runs to the probe and everything else to <see cref="Backend"/>.</summary>
    public IMlopsBackend Composite { get; private set; } = null!;

    /// <summary>The probe backend Runs are routed to in <see cref="Composite"/>; records every operation it receives.</summary>
    public RoutingProbeBackend Probe => _probe ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>The service provider the backends came from.</summary>
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>
    /// The clock registered in DI and used by the backend. A <c>FakeTimeProvider</c> is allowed: scenarios
    /// that wait then advance it while polling. Default <see cref="TimeProvider.System"/>.
    /// </summary>
    public virtual TimeProvider Time => TimeProvider.System;

    /// <summary>
    /// How many requests the backend's server has received so far (the fake's request log); an embedded
    /// backend returns 0. Scenarios assert it does not change when an operation is NotSupported.
    /// </summary>
    public abstract long RequestCount { get; }

    /// <summary>Starts whatever the backend needs (a fake server) before the services are built.</summary>
    protected virtual Task StartBackendAsync() => Task.CompletedTask;

    /// <summary>Stops what <see cref="StartBackendAsync"/> started, after the services are disposed.</summary>
    protected virtual Task StopBackendAsync() => Task.CompletedTask;

    /// <summary>The options of the backend under test (Type, BaseUrl, Settings …), called after <see cref="StartBackendAsync"/>.</summary>
    protected abstract BackendOptions CreateBackendOptions();

    /// <summary>Registers the backend type on the gateway builder, for example <c>builder.AddMLflow()</c>.</summary>
    /// <param name="builder">The builder <c>AddMlopsGateway</c> returned.</param>
    protected abstract void RegisterBackendType(MlopsGatewayBuilder builder);

    /// <summary>Adds services the backend needs (logging, handlers) before the provider is built.</summary>
    /// <param name="services">The service collection.</param>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// Creates a pipeline the backend can trigger and returns its id, or <see langword="null"/> when the
    /// backend holds no pipelines. The pipeline has at least one task; every task writes a log line
    /// containing the word <c>conformance</c>; its runs stay non-terminal until <see cref="CompleteRunAsync"/>
    /// says how they end (a real scheduler may run them itself when the outcome is Succeeded).
    /// </summary>
    /// <param name="name">A unique name for the pipeline (letters, digits, '-' and '_').</param>
    /// <param name="cancellationToken">Cancels seeding.</param>
    public abstract Task<string?> SeedPipelineAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates one run the way the backend creates runs (start a tracked run, trigger a seeded pipeline,
    /// register a run) through <see cref="Backend"/> or the fake. Runs created with the same
    /// <paramref name="scope"/> share a container — an experiment, or when the run has no experiment its
    /// pipeline — that holds no other runs, so listing by it returns exactly them. The run is not terminal.
    /// </summary>
    /// <param name="scope">A unique scope name (letters, digits, '-' and '_').</param>
    /// <param name="cancellationToken">Cancels creation.</param>
    public abstract Task<Run> CreateRunForTestAsync(string scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// A pipeline definition this backend accepts for <see cref="IPipelineClient.UploadAsync"/> (a KFP IR YAML, a
    /// Local JSON step list), named <paramref name="name"/>; null when the backend has no upload.
    /// </summary>
    /// <param name="name">The pipeline (or version) name.</param>
    public virtual PipelineUpload? CreatePipelineDefinition(string name) => null;

    /// <summary>Gets the experiment named <paramref name="name"/> through <see cref="Backend"/>, creating it when missing (for fixtures whose runs live in experiments).</summary>
    /// <param name="name">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    protected async Task<Experiment> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await Backend.Runs.GetExperimentByNameAsync(name, cancellationToken);
        }
        catch (MlopsNotFoundException)
        {
            return await Backend.Runs.CreateExperimentAsync(name, null, cancellationToken);
        }
    }

    /// <summary>
    /// Drives <paramref name="run"/> (a triggered or created run) to <paramref name="outcome"/>
    /// (<see cref="RunStatus.Succeeded"/> or <see cref="RunStatus.Failed"/>) where the backend cannot get
    /// there by itself: a fake's scheduler, or a Local pipeline step waiting for its verdict. After a retry
    /// the run's re-executed tasks wait for a new verdict. Scenarios then wait through the gateway.
    /// A cancelled run is never passed here: after <c>Runs.CancelAsync</c> the backend (or fake) must reach
    /// a terminal state by itself, as the real server does.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="outcome">How its (remaining) tasks end.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public abstract Task CompleteRunAsync(Run run, RunStatus outcome, CancellationToken cancellationToken = default);

    /// <summary>
    /// The model-version source a registry of this backend accepts for files uploaded under
    /// <paramref name="artifactPath"/> of <paramref name="run"/>. Default <c>runs:/{runId}/{artifactPath}</c>.
    /// </summary>
    /// <param name="run">The run holding the model files.</param>
    /// <param name="artifactPath">The run-relative directory the files were uploaded to.</param>
    public virtual string ModelSource(Run run, string artifactPath) => $"runs:/{run.Id}/{artifactPath}";

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        await StartBackendAsync();
        var services = new ServiceCollection();
        services.AddSingleton(Time);
        ConfigureServices(services);
        var builder = services.AddMlopsGateway(options =>
        {
            options.Backends[BackendName] = CreateBackendOptions();
            options.Backends[ProbeBackendName] = new BackendOptions { Type = RoutingProbeBackend.TypeName };
            options.DefaultBackend = BackendName;
            options.Routing = new RoutingOptions { Runs = ProbeBackendName };
        });
        builder.AddBackendType(new BackendTypeRegistration
        {
            Type = RoutingProbeBackend.TypeName,
            Factory = context => _probe = new RoutingProbeBackend(context),
            RequiresBaseUrl = false,
        });
        RegisterBackendType(builder);
        _services = services.BuildServiceProvider();
        Backend = _services.GetRequiredKeyedService<IMlopsBackend>(BackendName);
        Composite = _services.GetRequiredService<IMlopsBackend>();
        _ = _services.GetRequiredKeyedService<IMlopsBackend>(ProbeBackendName);
    }

    /// <summary>
    /// Stops the backend's background work (Metaflow's run heartbeats) before the services are disposed: the HTTP
    /// pipelines' disposal waits for requests in flight by sleeping on the fixture's clock, which a manual clock never moves.
    /// </summary>
    protected virtual Task StopBackgroundWorkAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await Eventually.CompletesAsync(StopBackgroundWorkAsync(), "stopping the backend's background work");
            await Eventually.CompletesAsync(_services.DisposeAsync().AsTask(),
                "disposing the services: a request was still in flight, and the resilience pipeline waits for it on the fixture's clock");
        }
        await StopBackendAsync();
    }
}
