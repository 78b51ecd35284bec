using System.Text.Json.Nodes;

namespace MlopsGateway.Conformance;

public abstract partial class ConformanceSuite<TFixture>
{
    [Fact]
    public async Task Pipelines_get_by_id_and_name_and_list()
    {
        if (!Supports(MlopsCapability.Pipelines))
        {
            await AssertNotSupportedAsync(() => Backend.Pipelines.ListAsync().ToListAsync(), "List without Pipelines");
            await AssertNotSupportedAsync(() => Backend.Pipelines.GetAsync("any"), "Get without Pipelines");
            return;
        }

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await Fixture.SeedPipelineAsync(Unique("pipe"), Deadline());
            id.Should().NotBeNullOrEmpty("the backend declares Pipelines, so the fixture must seed one");
            ids.Add(id!);
        }

        var pipeline = await Backend.Pipelines.GetAsync(ids[0], Deadline());
        pipeline.Id.Should().Be(ids[0]);
        pipeline.Backend.Should().Be(ConformanceFixture.BackendName);
        (await Backend.Pipelines.GetByNameAsync(pipeline.Name, Deadline())).Id.Should().Be(ids[0]);

        var pages = await ReadPagesAsync(Backend.Pipelines.ListAsync(), 2);
        var listed = pages.SelectMany(p => p.Values).Select(p => p.Id).ToList();
        listed.Should().OnlyHaveUniqueItems().And.Contain(ids);
    }

    [Fact]
    public async Task Upload_a_pipeline_and_a_new_version()
    {
        var name = Unique("upload");
        if (!Supports(MlopsCapability.PipelineUpload))
        {
            var empty = new PipelineUpload { Name = name, Content = new MemoryStream() };
            await AssertNotSupportedAsync(() => Backend.Pipelines.UploadAsync(empty), "Upload without PipelineUpload");
            await AssertNotSupportedAsync(() => Backend.Pipelines.UploadVersionAsync("any", empty), "UploadVersion without PipelineUpload");
            return;
        }

        var definition = Fixture.CreatePipelineDefinition(name);
        definition.Should().NotBeNull("the backend declares PipelineUpload, so the fixture must provide a definition");
        var pipeline = await Backend.Pipelines.UploadAsync(definition!, Deadline());
        pipeline.Backend.Should().Be(ConformanceFixture.BackendName);
        pipeline.Name.Should().Be(name);
        (await Backend.Pipelines.GetAsync(pipeline.Id, Deadline())).Name.Should().Be(name);

        if (Supports(MlopsCapability.PipelineVersions))
        {
            var version = await Backend.Pipelines.UploadVersionAsync(pipeline.Id, Fixture.CreatePipelineDefinition(name + "-v2")!, Deadline());
            version.PipelineId.Should().Be(pipeline.Id);
            (await Backend.Pipelines.GetVersionAsync(pipeline.Id, version.Id, Deadline())).Id.Should().Be(version.Id);
            (await Backend.Pipelines.ListVersionsAsync(pipeline.Id).ToListAsync(Deadline())).Select(v => v.Id).Should().Contain(version.Id);
        }
    }

    [Fact]
    public async Task Trigger_and_wait_until_Succeeded()
    {
        if (!Supports(MlopsCapability.PipelineTrigger))
        {
            var seeded = await Fixture.SeedPipelineAsync(Unique("pipe"), Deadline());
            await AssertNotSupportedAsync(() => Backend.Pipelines.TriggerAsync(seeded ?? "missing-pipeline"), "Trigger without PipelineTrigger");
            return;
        }

        var pipelineId = await SeedTriggerablePipelineAsync();
        var parameters = new JsonObject { ["epochs"] = 3, ["lr"] = 0.5, ["mode"] = "fast", ["flags"] = new JsonArray(1, 2) };
        var run = await Backend.Pipelines.TriggerAsync(pipelineId, new TriggerOptions { Parameters = parameters, RunName = "nightly" }, Deadline());
        run.Backend.Should().Be(ConformanceFixture.BackendName);
        run.PipelineId.Should().Be(pipelineId);
        run.Status.Should().BeOneOf(RunStatus.Queued, RunStatus.Running);

        var read = await Backend.Runs.GetAsync(run, Deadline());
        read.Id.Should().Be(run.Id);
        if (Supports(MlopsCapability.ParamValues))
        {
            read.Params.Should().Contain("epochs", "3").And.Contain("lr", "0.5").And.Contain("mode", "fast").And.Contain("flags", "[1,2]",
                "strings verbatim, numbers invariant, everything else compact JSON");
        }

        await Fixture.CompleteRunAsync(run, RunStatus.Succeeded, Deadline());
        var done = await WaitForTerminalAsync(run);
        done.Status.Should().Be(RunStatus.Succeeded);
        done.Id.Should().Be(run.Id);
        done.EndTime.Should().NotBeNull();
    }

    [Fact]
    public async Task Cancel_stops_a_running_run()
    {
        if (!Supports(MlopsCapability.RunCancel))
        {
            var created = await Fixture.CreateRunForTestAsync(Unique("cancel"), Deadline());
            await AssertNotSupportedAsync(() => Backend.Runs.CancelAsync(created), "Cancel without RunCancel");
            return;
        }

        var run = Supports(MlopsCapability.PipelineTrigger)
            ? await Backend.Pipelines.TriggerAsync(await SeedTriggerablePipelineAsync(), null, Deadline())
            : await Fixture.CreateRunForTestAsync(Unique("cancel"), Deadline());
        await Backend.Runs.CancelAsync(run, Deadline());
        var done = await WaitForTerminalAsync(run);
        if (Supports(MlopsCapability.ReportsCanceled))
        {
            done.Status.Should().Be(RunStatus.Canceled, "the backend reports cancellation natively");
        }
        else
        {
            done.Status.Should().Be(RunStatus.Failed, "a backend without a native cancelled state reads a cancelled run back as Failed");
        }

        await Backend.Runs.CancelAsync(run, Deadline());
        (await Backend.Runs.GetAsync(run, Deadline())).Status.Should().Be(done.Status, "cancelling a terminal run is a no-op");
    }

    [Fact]
    public async Task Retry_reruns_a_failed_run_to_success()
    {
        if (!Supports(MlopsCapability.RunRetry))
        {
            var created = await Fixture.CreateRunForTestAsync(Unique("retry"), Deadline());
            await AssertNotSupportedAsync(() => Backend.Runs.RetryAsync(created), "Retry without RunRetry");
            return;
        }

        var run = Supports(MlopsCapability.PipelineTrigger)
            ? await Backend.Pipelines.TriggerAsync(await SeedTriggerablePipelineAsync(), null, Deadline())
            : await Fixture.CreateRunForTestAsync(Unique("retry"), Deadline());
        await Fixture.CompleteRunAsync(run, RunStatus.Failed, Deadline());
        (await WaitForTerminalAsync(run)).Status.Should().Be(RunStatus.Failed);

        var retried = await Backend.Runs.RetryAsync(run, Deadline());
        retried.Id.Should().Be(run.Id, "a retry re-runs the same run");
        retried.Backend.Should().Be(ConformanceFixture.BackendName);
        await Fixture.CompleteRunAsync(run, RunStatus.Succeeded, Deadline());
        var done = await WaitForTerminalAsync(run);
        done.Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public async Task Task_runs_and_their_logs()
    {
        if (!Supports(MlopsCapability.TaskRuns))
        {
            var created = await Fixture.CreateRunForTestAsync(Unique("tasks"), Deadline());
            await AssertNotSupportedAsync(() => Backend.Pipelines.ListTaskRunsAsync(created).ToListAsync(), "ListTaskRuns without TaskRuns");
            await AssertNotSupportedAsync(() => Backend.Pipelines.ReadTaskLogAsync(created, "any").ToListAsync(), "ReadTaskLog without TaskRuns");
            return;
        }

        var run = Supports(MlopsCapability.PipelineTrigger)
            ? await Backend.Pipelines.TriggerAsync(await SeedTriggerablePipelineAsync(), null, Deadline())
            : await Fixture.CreateRunForTestAsync(Unique("tasks"), Deadline());
        await Fixture.CompleteRunAsync(run, RunStatus.Succeeded, Deadline());
        (await WaitForTerminalAsync(run)).Status.Should().Be(RunStatus.Succeeded);

        var tasks = await Backend.Pipelines.ListTaskRunsAsync(run, Deadline()).ToListAsync(Deadline());
        tasks.Should().NotBeEmpty();
        tasks.Should().OnlyContain(t => t.RunId == run.Id && t.Backend == ConformanceFixture.BackendName);
        tasks.Select(t => t.Id).Should().OnlyHaveUniqueItems();
        tasks.Should().OnlyContain(t => t.Status == RunStatus.Succeeded && t.Attempt >= 1);

        if (!Supports(MlopsCapability.TaskLogs))
        {
            await AssertNotSupportedAsync(() => Backend.Pipelines.ReadTaskLogAsync(run, tasks[0].Id).ToListAsync(), "ReadTaskLog without TaskLogs");
            return;
        }
        foreach (var task in tasks)
        {
            var lines = await Backend.Pipelines.ReadTaskLogAsync(run, task.Id, null, Deadline()).ToListAsync(Deadline());
            lines.Should().Contain(l => l.Contains("conformance", StringComparison.Ordinal), $"task {task.Name} wrote a log line");
        }
        await AssertThrowsAsync<MlopsNotFoundException>(
            () => Backend.Pipelines.ReadTaskLogAsync(run, "no-such-task", null, Deadline()).ToListAsync(Deadline()).AsTask(), "an unknown task");
    }
}
