using System.Collections.Concurrent;
using System.Text;

namespace MlopsGateway.Local.Tests;

public sealed class PipelineUploadTests : IAsyncLifetime
{
    private static readonly WaitOptions s_fastWait = new() { InitialPollInterval = TimeSpan.FromMilliseconds(5), MaxPollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(20) };
    private readonly ConcurrentQueue<string> _executed = new();
    private LocalBackend _backend = null!;

    public Task InitializeAsync()
    {
        _backend = LocalBackend.Open(LocalBackend.InMemoryPath);
        RegisterSteps(_backend);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    private void RegisterSteps(LocalBackend backend)
    {
        foreach (var step in new[] { "load", "train", "evaluate" })
        {
            backend.Pipelines.RegisterStep(step, ctx =>
            {
                _executed.Enqueue($"{ctx.Run.Id}:{step}");
                ctx.Log.WriteLine($"{step} ran");
            });
        }
    }

    private static PipelineUpload Upload(string name, string json) => new()
    {
        Name = name,
        Content = new MemoryStream(Encoding.UTF8.GetBytes(json)),
        FileName = "pipeline.json",
    };

    private List<string> ExecutedBy(Run run) => _executed.Where(e => e.StartsWith(run.Id + ":", StringComparison.Ordinal)).Select(e => e[(run.Id.Length + 1)..]).ToList();

    [Fact]
    public void Upload_is_advertised_as_native()
        => _backend.Capabilities[MlopsCapability.PipelineUpload].Should().Be(CapabilitySupport.Native);

    [Fact]
    public async Task An_uploaded_definition_runs_its_registered_steps_in_the_defined_order()
    {
        var pipeline = await _backend.Pipelines.UploadAsync(Upload("etl", """{"steps": ["evaluate", "load", "train"], "description": "from upload"}"""));
        pipeline.Id.Should().Be("etl");
        pipeline.Description.Should().Be("from upload");

        var run = await _backend.Pipelines.TriggerAsync("etl");
        (await _backend.Runs.WaitForCompletionAsync(run, s_fastWait)).Status.Should().Be(RunStatus.Succeeded);
        ExecutedBy(run).Should().Equal("evaluate", "load", "train");
        var tasks = await _backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();
        tasks.Select(t => (t.Id, t.Status)).Should().Equal(("evaluate", RunStatus.Succeeded), ("load", RunStatus.Succeeded), ("train", RunStatus.Succeeded));
        (await _backend.Pipelines.ReadTaskLogAsync(run, "train").ToListAsync()).Should().Equal("train ran");
        run.PipelineVersionId.Should().Be("1");
    }

    [Fact]
    public async Task Steps_added_on_the_options_are_registered_when_the_backend_opens()
    {
        var options = new BackendOptions { Type = LocalBackend.TypeName };
        options.Settings["Path"] = LocalBackend.InMemoryPath;
        var ran = new ConcurrentQueue<string>();
        await using var backend = new LocalBackend(new BackendContext("local", options),
            new LocalBackendOptions().AddStep("only", (ctx, _) => { ran.Enqueue(ctx.StepName); return Task.CompletedTask; }));
        await backend.Pipelines.UploadAsync(Upload("opt", """{"steps": ["only"]}"""));
        var run = await backend.Pipelines.TriggerAsync("opt");
        (await backend.Runs.WaitForCompletionAsync(run, s_fastWait)).Status.Should().Be(RunStatus.Succeeded);
        ran.Should().Equal("only");
    }

    [Fact]
    public async Task A_version_upload_becomes_the_latest_and_older_versions_stay_triggerable()
    {
        _backend.Pipelines.Register("coded", p => p.Step("load", _ => { }));
        var version = await _backend.Pipelines.UploadVersionAsync("coded", Upload("ignored", """{"steps": ["load", "evaluate"]}"""));
        version.Id.Should().Be("2");
        version.PipelineId.Should().Be("coded");
        (await _backend.Pipelines.ListVersionsAsync("coded").ToListAsync()).Select(v => v.Id).Should().Equal("2", "1");
        var pages = new List<IReadOnlyList<string>>();
        await foreach (var page in _backend.Pipelines.ListVersionsAsync("coded", new PipelineVersionQuery { PageSize = 1 }).AsPages())
        {
            pages.Add(page.Values.Select(v => v.Id).ToList());
        }
        pages.Should().BeEquivalentTo(new[] { new[] { "2" }, new[] { "1" } }, o => o.WithStrictOrdering(), "the query's page size is honoured");

        var latest = await _backend.Pipelines.TriggerAsync("coded");
        (await _backend.Runs.WaitForCompletionAsync(latest, s_fastWait)).Status.Should().Be(RunStatus.Succeeded);
        ExecutedBy(latest).Should().Equal("load", "evaluate");
        latest.PipelineVersionId.Should().Be("2");

        var first = await _backend.Pipelines.TriggerAsync("coded", new TriggerOptions { VersionId = "1" });
        (await _backend.Runs.WaitForCompletionAsync(first, s_fastWait)).Status.Should().Be(RunStatus.Succeeded);
        (await _backend.Pipelines.ListTaskRunsAsync(first).ToListAsync()).Select(t => t.Id).Should().Equal("load");

        await FluentActions.Awaiting(() => _backend.Pipelines.UploadVersionAsync("missing", Upload("v", """{"steps": ["load"]}""")))
            .Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => _backend.Pipelines.UploadAsync(Upload("coded", """{"steps": ["load"]}""")))
            .Should().ThrowAsync<MlopsConflictException>();
    }

    [Fact]
    public async Task An_unknown_step_is_rejected_naming_it_and_the_registered_ones_and_nothing_is_stored()
    {
        var error = await FluentActions.Awaiting(() => _backend.Pipelines.UploadAsync(Upload("bad", """{"steps": ["load", "deploy"]}""")))
            .Should().ThrowAsync<MlopsValidationException>();
        error.Which.Message.Should().Contain("'deploy'").And.Contain("evaluate, load, train");
        error.Which.Operation.Should().Be("Pipelines.Upload");
        await FluentActions.Awaiting(() => _backend.Pipelines.GetAsync("bad")).Should().ThrowAsync<MlopsNotFoundException>();

        _backend.Pipelines.Register("keep", p => p.Step("load", _ => { }));
        await FluentActions.Awaiting(() => _backend.Pipelines.UploadVersionAsync("keep", Upload("v2", """{"steps": ["deploy"]}""")))
            .Should().ThrowAsync<MlopsValidationException>().WithMessage("*'deploy'*");
        (await _backend.Pipelines.ListVersionsAsync("keep").ToListAsync()).Select(v => v.Id).Should().Equal("1");
    }

    [Theory]
    [InlineData("steps: [load, train]", "not valid JSON")]
    [InlineData("""["load"]""", "JSON object")]
    [InlineData("""{"description": "no steps"}""", "no \"steps\"")]
    [InlineData("""{"steps": []}""", "non-empty array")]
    [InlineData("""{"steps": ["load", 3]}""", "Step 3")]
    [InlineData("""{"steps": ["load", "load"]}""", "appears twice")]
    [InlineData("""{"steps": ["load"], "retries": 2}""", "unknown property \"retries\"")]
    public async Task Malformed_definitions_are_rejected_and_nothing_is_stored(string content, string expected)
    {
        var error = await FluentActions.Awaiting(() => _backend.Pipelines.UploadAsync(Upload("malformed", content)))
            .Should().ThrowAsync<MlopsValidationException>();
        error.Which.Message.Should().Contain("pipeline.json").And.Contain(expected);
        (await _backend.Pipelines.ListAsync().ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task An_uploaded_pipeline_survives_reopening_the_database()
    {
        using var dir = new TempDirectory();
        var path = dir.File("upload.db");
        await using (var backend = LocalBackend.Open(path))
        {
            RegisterSteps(backend);
            await backend.Pipelines.UploadAsync(Upload("durable", """{"steps": ["load", "train"]}"""));
            await backend.Pipelines.UploadVersionAsync("durable", Upload("v2", """{"steps": ["train", "evaluate"]}"""));
        }

        await using var reopened = LocalBackend.Open(path);
        (await reopened.Pipelines.ListVersionsAsync("durable").ToListAsync()).Select(v => v.Id).Should().Equal("2", "1");
        var error = await FluentActions.Awaiting(() => reopened.Pipelines.TriggerAsync("durable"))
            .Should().ThrowAsync<MlopsValidationException>("the step handlers are not registered in the new process yet");
        error.Which.Message.Should().Contain("'train'").And.Contain("registered steps: (none)");
        (await reopened.Runs.ListAsync(new RunQuery { PipelineId = "durable" }).ToListAsync()).Should().BeEmpty();

        RegisterSteps(reopened);
        var run = await reopened.Pipelines.TriggerAsync("durable");
        (await reopened.Runs.WaitForCompletionAsync(run, s_fastWait)).Status.Should().Be(RunStatus.Succeeded);
        ExecutedBy(run).Should().Equal("train", "evaluate");
        var first = await reopened.Pipelines.TriggerAsync("durable", new TriggerOptions { VersionId = "1" });
        (await reopened.Runs.WaitForCompletionAsync(first, s_fastWait)).Status.Should().Be(RunStatus.Succeeded);
        ExecutedBy(first).Should().Equal("load", "train");
    }
}
