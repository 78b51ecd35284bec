using System.Text;

namespace MlopsGateway.Conformance;

public abstract partial class ConformanceSuite<TFixture>
{
    [Fact]
    public async Task Experiments_create_get_list_delete_restore()
    {
        var name = Unique("exp");
        if (!Supports(MlopsCapability.Experiments))
        {
            await AssertNotSupportedAsync(() => Backend.Runs.CreateExperimentAsync(name), "CreateExperiment without Experiments");
            await AssertNotSupportedAsync(() => Backend.Runs.ListExperimentsAsync().ToListAsync(), "ListExperiments without Experiments");
            return;
        }

        var created = await Backend.Runs.CreateExperimentAsync(name, null, Deadline());
        created.Backend.Should().Be(ConformanceFixture.BackendName);
        created.Name.Should().Be(name);
        created.Id.Should().NotBeNullOrEmpty();
        created.State.Should().Be(LifecycleState.Active);

        (await Backend.Runs.GetExperimentAsync(created.Id, Deadline())).Name.Should().Be(name);
        (await Backend.Runs.GetExperimentByNameAsync(name, Deadline())).Id.Should().Be(created.Id);

        for (var i = 0; i < 2; i++)
        {
            await Backend.Runs.CreateExperimentAsync($"{name}-{i}", null, Deadline());
        }
        var pages = await ReadPagesAsync(Backend.Runs.ListExperimentsAsync(new ExperimentQuery { NameContains = name }), 2);
        var listed = pages.SelectMany(p => p.Values).Where(e => e.Name.StartsWith(name, StringComparison.Ordinal)).Select(e => e.Name).ToList();
        listed.Should().BeEquivalentTo([name, $"{name}-0", $"{name}-1"], "listing follows pages and returns each experiment once");

        await AssertThrowsAsync<MlopsConflictException>(() => Backend.Runs.CreateExperimentAsync(name, null, Deadline()), "an existing experiment name");

        await Backend.Runs.DeleteExperimentAsync(created.Id, Deadline());
        (await Backend.Runs.GetExperimentAsync(created.Id, Deadline())).State.Should().Be(LifecycleState.Deleted);
        var active = await Backend.Runs.ListExperimentsAsync(new ExperimentQuery { NameContains = name }).ToListAsync(Deadline());
        active.Select(e => e.Id).Should().NotContain(created.Id, "deleted experiments are not listed unless asked for");
        await AssertThrowsAsync<MlopsConflictException>(() => Backend.Runs.CreateExperimentAsync(name, null, Deadline()), "a soft-deleted name stays reserved");

        await Backend.Runs.RestoreExperimentAsync(created.Id, Deadline());
        (await Backend.Runs.GetExperimentAsync(created.Id, Deadline())).State.Should().Be(LifecycleState.Active);
    }

    [Fact]
    public async Task Runs_are_created_read_and_listed_past_one_page()
    {
        var scope = Unique("list");
        if (!Supports(MlopsCapability.RunRead))
        {
            await AssertNotSupportedAsync(() => Backend.Runs.GetAsync(new RunRef("any", ConformanceFixture.BackendName)), "Get without RunRead");
            await AssertNotSupportedAsync(() => Backend.Runs.ListAsync().ToListAsync(), "List without RunRead");
            return;
        }

        var runs = new List<Run>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await Fixture.CreateRunForTestAsync(scope, Deadline()));
        }
        foreach (var run in runs)
        {
            run.Backend.Should().Be(ConformanceFixture.BackendName);
            run.Id.Should().NotBeNullOrEmpty();
            var read = await Backend.Runs.GetAsync(run, Deadline());
            read.Id.Should().Be(run.Id, "the run id is opaque and round-trips");
            read.Backend.Should().Be(ConformanceFixture.BackendName);
            read.ExperimentId.Should().Be(run.ExperimentId);
            read.PipelineId.Should().Be(run.PipelineId);
        }

        var pages = await ReadPagesAsync(Backend.Runs.ListAsync(ScopeQuery(runs[0])), 2);
        pages.Count.Should().BeGreaterThanOrEqualTo(3, "five runs at two per page need at least three pages");
        var ids = pages.SelectMany(p => p.Values).Select(r => r.Id).ToList();
        ids.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(runs.Select(r => r.Id));

        var streamed = await Backend.Runs.ListAsync(ScopeQuery(runs[0], pageSize: 2)).ToListAsync(Deadline());
        streamed.Select(r => r.Id).Should().BeEquivalentTo(runs.Select(r => r.Id), "enumerating follows every page lazily");

        var firstPage = pages[0];
        firstPage.ContinuationToken.Should().NotBeNull();
        var resumed = new List<string>();
        await foreach (var page in Backend.Runs.ListAsync(ScopeQuery(runs[0])).AsPages(firstPage.ContinuationToken, 2))
        {
            resumed.AddRange(page.Values.Select(r => r.Id));
        }
        resumed.Should().BeEquivalentTo(ids.Skip(firstPage.Values.Count), "AsPages resumes after a continuation token");
    }

    [Fact]
    public async Task Started_run_logs_through_the_buffer_and_ends_Succeeded()
    {
        var experiment = Unique("start");
        if (!Supports(MlopsCapability.RunTracking))
        {
            await AssertNotSupportedAsync(() => Backend.Runs.StartAsync(experiment), "Start without RunTracking");
            await AssertNotSupportedAsync(() => Backend.Runs.CreateRunAsync("0"), "CreateRun without RunTracking");
            return;
        }

        var ended = await Backend.Runs.RunAsync(experiment, new RunStartOptions { Name = "trained", FlushInterval = TimeSpan.Zero }, async (run, ct) =>
        {
            if (Supports(MlopsCapability.Params))
            {
                run.LogParam("lr", 0.01);
                run.LogParam("optimizer", "sgd");
            }
            if (Supports(MlopsCapability.Metrics))
            {
                for (var step = 0; step < 5; step++)
                {
                    run.LogMetric("loss", 1.0 / (step + 1), step);
                }
            }
            await run.FlushAsync(ct);
        }, Deadline());

        ended.Status.Should().Be(RunStatus.Succeeded);
        ended.Backend.Should().Be(ConformanceFixture.BackendName);
        if (!Supports(MlopsCapability.RunRead))
        {
            return;
        }
        var read = await Backend.Runs.GetAsync(ended, Deadline());
        read.Status.Should().Be(RunStatus.Succeeded);
        read.Name.Should().Be("trained");
        read.EndTime.Should().NotBeNull();
        if (Supports(MlopsCapability.Params) && Supports(MlopsCapability.ParamValues))
        {
            read.Params.Should().Contain("lr", "0.01").And.Contain("optimizer", "sgd");
        }
        if (Supports(MlopsCapability.Metrics))
        {
            read.Metrics.Should().Contain("loss", 0.2);
        }

        var failed = await FluentActions.Awaiting(() => Backend.Runs.RunAsync(experiment, new RunStartOptions { FlushInterval = TimeSpan.Zero },
            (_, _) => throw new InvalidOperationException("training diverged"), Deadline())).Should().ThrowAsync<InvalidOperationException>();
        failed.Which.Message.Should().Be("training diverged");
        var all = await Backend.Runs.ListAsync(new RunQuery { ExperimentIds = [read.ExperimentId!] }).ToListAsync(Deadline());
        all.Select(r => r.Status).Should().BeEquivalentTo([RunStatus.Succeeded, RunStatus.Failed], "a delegate that throws ends its run Failed");
    }

    [Fact]
    public async Task Log_batch_and_metric_history_round_trip_special_values()
    {
        var run = await Fixture.CreateRunForTestAsync(Unique("log"), Deadline());
        var points = new[]
        {
            new MetricPoint("loss", 0.5, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000), 0),
            new MetricPoint("loss", double.NaN, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_601_000), 1),
            new MetricPoint("loss", double.PositiveInfinity, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_602_000), 2),
            new MetricPoint("loss", double.NegativeInfinity, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_603_000), 3),
            new MetricPoint("loss", 0.125, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_604_000), 4),
        };
        if (!Supports(MlopsCapability.Metrics))
        {
            await AssertNotSupportedAsync(() => Backend.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = points }), "LogBatch with metrics without Metrics");
            await AssertNotSupportedAsync(() => Backend.Runs.GetMetricHistoryAsync(run, "loss").ToListAsync(), "GetMetricHistory without Metrics");
            return;
        }

        var batch = new RunLogBatch
        {
            Metrics = points,
            Params = Supports(MlopsCapability.Params) ? [new("lr", "0.01"), new("layers", "[64,32]")] : [],
        };
        await Backend.Runs.LogBatchAsync(run, batch, Deadline());

        var history = await Backend.Runs.GetMetricHistoryAsync(run, "loss", Deadline()).ToListAsync(Deadline());
        history.Select(p => p.Step).Should().Equal(0, 1, 2, 3, 4);
        history.Select(p => p.Value).Should().Equal(0.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.125);
        history.Select(p => p.Timestamp).Should().Equal(points.Select(p => p.Timestamp), "timestamps keep millisecond precision");
        history.Should().OnlyContain(p => p.Key == "loss");

        var read = await Backend.Runs.GetAsync(run, Deadline());
        read.Metrics.Should().Contain("loss", 0.125, "the latest value is the one at the highest step");
        if (Supports(MlopsCapability.Params) && Supports(MlopsCapability.ParamValues))
        {
            read.Params.Should().Contain("lr", "0.01").And.Contain("layers", "[64,32]");
            await Backend.Runs.LogBatchAsync(run, new RunLogBatch { Params = [new("lr", "0.01")] }, Deadline());
            await AssertThrowsAsync<MlopsConflictException>(
                () => Backend.Runs.LogBatchAsync(run, new RunLogBatch { Params = [new("lr", "0.02")] }, Deadline()),
                "re-logging a param with a different value");
        }

        var many = Enumerable.Range(0, 2_500).Select(i => new MetricPoint("acc", i / 2_500.0, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000 + i), i)).ToArray();
        await Backend.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = many }, Deadline());
        var accPages = await ReadPagesAsync(Backend.Runs.GetMetricHistoryAsync(run, "acc"), Backend.Capabilities.Limits.MaxPageSize);
        accPages.SelectMany(p => p.Values).Select(p => p.Step).Should().Equal(Enumerable.Range(0, 2_500).Select(i => (long)i),
            "a batch larger than the backend's limits is split, and the history pages through every value");
    }

    [Fact]
    public async Task Tags_last_write_wins_and_delete()
    {
        var run = await Fixture.CreateRunForTestAsync(Unique("tags"), Deadline());
        if (!Supports(MlopsCapability.RunTags))
        {
            await AssertNotSupportedAsync(() => Backend.Runs.SetTagAsync(run, "phase", "train"), "SetTag without RunTags");
            await AssertNotSupportedAsync(() => Backend.Runs.DeleteTagAsync(run, "phase"), "DeleteTag without RunTags");
            return;
        }

        await Backend.Runs.SetTagAsync(run, "phase", "train", Deadline());
        await Backend.Runs.LogBatchAsync(run, new RunLogBatch { Tags = [new("phase", "eval"), new("owner", "ada"), new("phase", "test")] }, Deadline());
        var read = await Backend.Runs.GetAsync(run, Deadline());
        read.Tags.Should().Contain("phase", "test", "tags are applied in order, so the last write wins").And.Contain("owner", "ada");

        await Backend.Runs.SetTagAsync(run, "phase", "final", Deadline());
        await Backend.Runs.SetTagAsync(run, "empty", "", Deadline());
        read = await Backend.Runs.GetAsync(run, Deadline());
        read.Tags.Should().Contain("phase", "final").And.Contain("empty", "");

        await Backend.Runs.DeleteTagAsync(run, "owner", Deadline());
        read = await Backend.Runs.GetAsync(run, Deadline());
        read.Tags.Should().NotContainKey("owner");
        await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Runs.DeleteTagAsync(run, "owner", Deadline()), "deleting an absent tag");
    }

    [Fact]
    public async Task Artifacts_round_trip()
    {
        var run = await Fixture.CreateRunForTestAsync(Unique("art"), Deadline());
        if (!Supports(MlopsCapability.Artifacts))
        {
            await AssertNotSupportedAsync(() => Backend.Runs.UploadArtifactAsync(run, "a.txt", new MemoryStream([1])), "UploadArtifact without Artifacts");
            await AssertNotSupportedAsync(() => Backend.Runs.DownloadArtifactAsync(run, "a.txt"), "DownloadArtifact without Artifacts");
            await AssertNotSupportedAsync(() => Backend.Runs.ListArtifactsAsync(run).ToListAsync(), "ListArtifacts without Artifacts");
            return;
        }

        var weights = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31)).ToArray();
        await Backend.Runs.UploadArtifactAsync(run, "model/weights.bin", new MemoryStream(weights), Deadline());
        await Backend.Runs.UploadArtifactAsync(run, "model/config.json", new MemoryStream(Encoding.UTF8.GetBytes("{\"layers\":2}")), Deadline());
        await Backend.Runs.UploadArtifactAsync(run, "notes.txt", new MemoryStream(Encoding.UTF8.GetBytes("héllo")), Deadline());

        var root = await Backend.Runs.ListArtifactsAsync(run, null, Deadline()).ToListAsync(Deadline());
        root.Should().ContainEquivalentOf(new ArtifactInfo("model", true, null));
        root.Should().ContainSingle(a => a.Path == "notes.txt").Which.Size.Should().Be(Encoding.UTF8.GetByteCount("héllo"));
        var model = await Backend.Runs.ListArtifactsAsync(run, "model", Deadline()).ToListAsync(Deadline());
        model.Select(a => a.Path).Should().BeEquivalentTo(["model/weights.bin", "model/config.json"]);
        model.Should().OnlyContain(a => !a.IsDirectory);
        model.Single(a => a.Path == "model/weights.bin").Size.Should().Be(weights.Length);

        await using (var stream = await Backend.Runs.DownloadArtifactAsync(run, "model/weights.bin", Deadline()))
        {
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            copy.ToArray().Should().Equal(weights);
        }
        await using (var stream = await Backend.Runs.DownloadArtifactAsync(run, "notes.txt", Deadline()))
        {
            (await new StreamReader(stream).ReadToEndAsync()).Should().Be("héllo");
        }

        await AssertThrowsAsync<MlopsNotFoundException>(
            async () => { await using var s = await Backend.Runs.DownloadArtifactAsync(run, "model/missing.bin", Deadline()); }, "a missing artifact");
        var before = Fixture.RequestCount;
        await FluentActions.Awaiting(() => Backend.Runs.UploadArtifactAsync(run, "../escape.txt", new MemoryStream([1]), Deadline()))
            .Should().ThrowAsync<MlopsValidationException>("'..' segments are rejected before anything is sent");
        await FluentActions.Awaiting(() => Backend.Runs.UploadArtifactAsync(run, "model/../../escape.txt", new MemoryStream([1]), Deadline()))
            .Should().ThrowAsync<MlopsValidationException>();
        Fixture.RequestCount.Should().Be(before, "path checks happen client-side");
    }

    [Fact]
    public async Task Deleted_runs_leave_listings_and_delete_is_idempotent()
    {
        var scope = Unique("del");
        var keep = await Fixture.CreateRunForTestAsync(scope, Deadline());
        if (!Supports(MlopsCapability.RunDelete))
        {
            await AssertNotSupportedAsync(() => Backend.Runs.DeleteAsync(keep), "Delete without RunDelete");
            return;
        }
        var gone = await Fixture.CreateRunForTestAsync(scope, Deadline());
        await Backend.Runs.DeleteAsync(gone, Deadline());
        await Backend.Runs.DeleteAsync(gone, Deadline());
        var listed = await Backend.Runs.ListAsync(ScopeQuery(keep)).ToListAsync(Deadline());
        listed.Select(r => r.Id).Should().Equal([keep.Id]);
    }
}
