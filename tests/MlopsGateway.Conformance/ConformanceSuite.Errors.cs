namespace MlopsGateway.Conformance;

public abstract partial class ConformanceSuite<TFixture>
{
    [Fact]
    public async Task Missing_objects_are_NotFound()
    {
        var missing = Unique("missing");
        if (Supports(MlopsCapability.RunRead))
        {
            var error = await AssertThrowsAsync<MlopsNotFoundException>(
                () => Backend.Runs.GetAsync(new RunRef(missing, ConformanceFixture.BackendName), Deadline()), "an unknown run");
            error.Operation.Should().Be("Runs.Get");
            error.Message.Should().NotBeNullOrWhiteSpace();
        }
        else
        {
            await AssertNotSupportedAsync(() => Backend.Runs.GetAsync(missing), "Get without RunRead");
        }

        if (Supports(MlopsCapability.Experiments))
        {
            await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Runs.GetExperimentByNameAsync(missing, Deadline()), "an unknown experiment name");
        }
        else
        {
            await AssertNotSupportedAsync(() => Backend.Runs.GetExperimentByNameAsync(missing), "GetExperimentByName without Experiments");
        }

        if (Supports(MlopsCapability.Pipelines))
        {
            await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Pipelines.GetAsync(missing, Deadline()), "an unknown pipeline");
        }
        else
        {
            await AssertNotSupportedAsync(() => Backend.Pipelines.GetAsync(missing), "Get without Pipelines");
        }

        if (Supports(MlopsCapability.ModelRegistry))
        {
            await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Models.GetModelAsync(missing, Deadline()), "an unknown model");
            await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Models.GetVersionAsync(missing, "1", Deadline()), "a version of an unknown model");
        }
        else
        {
            await AssertNotSupportedAsync(() => Backend.Models.GetModelAsync(missing), "GetModel without ModelRegistry");
        }
    }

    [Fact]
    public async Task Invalid_input_is_rejected_before_sending()
    {
        var run = await Fixture.CreateRunForTestAsync(Unique("invalid"), Deadline());
        var before = Fixture.RequestCount;
        if (Supports(MlopsCapability.Metrics))
        {
            await FluentActions.Awaiting(() => Backend.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = [new MetricPoint("", 1, DateTimeOffset.UnixEpoch)] }, Deadline()))
                .Should().ThrowAsync<MlopsValidationException>("an empty metric key");
        }
        if (Supports(MlopsCapability.RunTags) && Backend.Capabilities.Limits.MaxTagValueLength is { } maxTag)
        {
            await FluentActions.Awaiting(() => Backend.Runs.LogBatchAsync(run, new RunLogBatch { Tags = [new("note", new string('x', maxTag + 1))] }, Deadline()))
                .Should().ThrowAsync<MlopsValidationException>("a tag value the server would truncate");
        }
        if (Supports(MlopsCapability.RunRead))
        {
            await FluentActions.Awaiting(() => Backend.Runs.WaitForCompletionAsync(run, new WaitOptions { InitialPollInterval = TimeSpan.Zero }, null, Deadline()))
                .Should().ThrowAsync<MlopsValidationException>("a zero poll interval");
        }
        Fixture.RequestCount.Should().Be(before, "client-side validation sends nothing");
    }

    [Fact]
    public async Task Composite_sends_run_scoped_calls_to_the_backend_of_record()
    {
        var composite = Fixture.Composite;
        composite.Kind.Should().Be("Composite");
        var run = await Fixture.CreateRunForTestAsync(Unique("route"), Deadline());
        var probeOps = Fixture.Probe.Operations.Count;

        if (!Supports(MlopsCapability.RunRead))
        {
            await AssertNotSupportedAsync(() => composite.Runs.GetAsync(run), "Get routed to a backend without RunRead");
            return;
        }

        var read = await composite.Runs.GetAsync(run, Deadline());
        read.Backend.Should().Be(ConformanceFixture.BackendName, "a run-scoped call goes to Run.Backend, not to Routing.Runs");
        read.Id.Should().Be(run.Id);
        Fixture.Probe.Operations.Skip(probeOps).Should().BeEmpty("the probe that Runs are routed to must not see the call");

        var created = await composite.Runs.CreateRunAsync("probe-experiment", new RunCreateOptions { Name = "routed" }, Deadline());
        created.Backend.Should().Be(ConformanceFixture.ProbeBackendName, "creates follow Routing.Runs");
        (await composite.Runs.GetAsync(created, Deadline())).Name.Should().Be("routed");
        var before = Fixture.RequestCount;
        (await FluentActions.Awaiting(() => composite.Runs.GetAsync(new RunRef(run.Id), Deadline()))
            .Should().ThrowAsync<MlopsValidationException>("a bare id names no backend, and both routed backends hold runs"))
            .Which.Message.Should().Contain($"RunRef.Parse(\"{ConformanceFixture.ProbeBackendName}:{run.Id}\")", "the error says how to qualify the id");
        Fixture.RequestCount.Should().Be(before, "an ambiguous id is refused before any request");
        (await composite.Runs.GetAsync(RunRef.Parse(((RunRef)run).ToString()), Deadline())).Id.Should().Be(run.Id,
            "a stored reference read back with RunRef.Parse routes to its own backend");
        Fixture.Probe.Operations.Skip(probeOps).Should().Equal(
            "Runs.CreateRun:probe-experiment", $"Runs.Get:{created.Id}");

        if (Supports(MlopsCapability.PipelineTrigger))
        {
            var triggered = await composite.Pipelines.TriggerAsync(await SeedTriggerablePipelineAsync(), null, Deadline());
            triggered.Backend.Should().Be(ConformanceFixture.BackendName, "Pipelines fall back to the default backend");
            await Fixture.CompleteRunAsync(triggered, RunStatus.Succeeded, Deadline());
            (await WaitForTerminalAsync(triggered, composite)).Status.Should().Be(RunStatus.Succeeded,
                "a triggered run is waited on through its own backend even though Runs are routed elsewhere");
            Fixture.Probe.Operations.Skip(probeOps).Should().HaveCount(2, "the probe saw none of the pipeline run's calls");
        }
    }
}
