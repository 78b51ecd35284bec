using Microsoft.Extensions.Time.Testing;
using System.Collections.Concurrent;
using MlopsGateway.Conformance;
using MlopsGateway.Testing;

namespace MlopsGateway.Local.Tests;

/// <summary>
/// The conformance fixture for Local: a backend built through <c>AddMlopsGateway().AddLocal()</c>. Seeded
/// pipelines have two steps; the second waits for the verdict <see cref="CompleteRunAsync"/> gives, so
/// scenarios decide how (and when) a run ends.
/// </summary>
public abstract class LocalConformanceFixture : ConformanceFixture
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunStatus>> _verdicts = new();

    /// <summary>The database path given to the backend.</summary>
    protected abstract string DatabasePath { get; }

    public override long RequestCount => 0;

    protected override BackendOptions CreateBackendOptions()
    {
        var options = new BackendOptions { Type = "Local" };
        options.Settings["Path"] = DatabasePath;
        return options;
    }

    protected override void RegisterBackendType(MlopsGatewayBuilder builder) => builder.AddLocal();

    private TaskCompletionSource<RunStatus> Verdict(string runId)
        => _verdicts.GetOrAdd(runId, _ => new TaskCompletionSource<RunStatus>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>A JSON step list composed of two step handlers registered in code.</summary>
    public override PipelineUpload CreatePipelineDefinition(string name)
    {
        var pipelines = Backend.GetService<LocalPipelineClient>()!;
        pipelines.RegisterStep("conformance-load", ctx => ctx.Log.WriteLine("conformance: load"));
        pipelines.RegisterStep("conformance-score", ctx => ctx.Log.WriteLine("conformance: score"));
        var json = """{"steps": ["conformance-load", "conformance-score"], "description": "uploaded by the conformance suite"}""";
        return new PipelineUpload { Name = name, FileName = name + ".json", Content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)) };
    }

    public override Task<string?> SeedPipelineAsync(string name, CancellationToken cancellationToken = default)
    {
        var pipelines = Backend.GetService<LocalPipelineClient>()!;
        var pipeline = pipelines.Register(name, p => p
            .Step("prepare", ctx => ctx.Log.WriteLine($"conformance: preparing run {ctx.Run.Id}"))
            .Step("train", async (ctx, ct) =>
            {
                ctx.Log.WriteLine($"conformance: waiting for the verdict (attempt {ctx.Attempt})");
                var verdict = await Verdict(ctx.Run.Id).Task.WaitAsync(ct);
                _verdicts.TryRemove(ctx.Run.Id, out _);
                if (verdict != RunStatus.Succeeded)
                {
                    throw new InvalidOperationException("conformance: told to fail");
                }
            }));
        return Task.FromResult<string?>(pipeline.Id);
    }

    public override async Task<Run> CreateRunForTestAsync(string scope, CancellationToken cancellationToken = default)
    {
        var experiment = await GetOrCreateExperimentAsync(scope, cancellationToken);
        return await Backend.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Name = scope }, cancellationToken);
    }

    public override Task CompleteRunAsync(Run run, RunStatus outcome, CancellationToken cancellationToken = default)
    {
        Verdict(run.Id).TrySetResult(outcome);
        return Task.CompletedTask;
    }
}

/// <summary>Local on a database file in a temporary directory.</summary>
public sealed class LocalFileConformanceFixture : LocalConformanceFixture
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mlops-conformance-{Guid.NewGuid():N}");

    protected override string DatabasePath => Path.Combine(_directory, "conformance.db");

    protected override Task StopBackendAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Local in memory.</summary>
public sealed class LocalInMemoryConformanceFixture : LocalConformanceFixture
{
    protected override string DatabasePath => LocalBackend.InMemoryPath;
}

/// <summary>Local in memory on a manual clock: proves the suite's waits advance a <see cref="FakeTimeProvider"/> instead of sleeping.</summary>
public sealed class LocalManualClockConformanceFixture : LocalConformanceFixture
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override TimeProvider Time => _clock;

    protected override string DatabasePath => LocalBackend.InMemoryPath;
}

public sealed class LocalFileConformanceTests(LocalFileConformanceFixture fixture) : ConformanceSuite<LocalFileConformanceFixture>(fixture);

public sealed class LocalInMemoryConformanceTests(LocalInMemoryConformanceFixture fixture) : ConformanceSuite<LocalInMemoryConformanceFixture>(fixture);

public sealed class LocalManualClockConformanceTests(LocalManualClockConformanceFixture fixture) : ConformanceSuite<LocalManualClockConformanceFixture>(fixture);
