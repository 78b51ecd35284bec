using System.Diagnostics;
using System.Text;
using MlopsGateway.Local.Storage;

namespace MlopsGateway.Local.Tests;

public sealed class DurabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private LocalBackend Open(OwnerIdentity? owner = null)
    {
        var options = new BackendOptions { Type = "Local" };
        options.Settings["Path"] = _dir.File("mlops.db");
        return new LocalBackend(new BackendContext("local", options), null, owner ?? OwnerIdentity.ForCurrentProcess());
    }

    private static void RegisterTwoSteps(LocalBackend backend) => backend.Pipelines.Register("etl", p => p
        .Step("extract", ctx => ctx.Log.WriteLine("extracted 3 rows"))
        .Step("load", async (ctx, ct) =>
        {
            await ctx.Backend.Runs.LogBatchAsync(ctx.Run, new RunLogBatch { Metrics = [new MetricPoint("rows", 3, DateTimeOffset.UnixEpoch)] }, ct);
            ctx.Log.WriteLine("loaded");
        }));

    [Fact]
    public async Task Everything_survives_a_restart()
    {
        string runId, pipelineRunId;
        await using (var backend = Open())
        {
            var experiment = await backend.Runs.CreateExperimentAsync("durable", new ExperimentCreateOptions { Tags = new Dictionary<string, string> { ["k"] = "v" } });
            var run = await backend.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Name = "r1" });
            runId = run.Id;
            await backend.Runs.LogBatchAsync(run, new RunLogBatch
            {
                Params = [new("lr", "0.1")],
                Tags = [new("phase", "train")],
                Metrics = [new("loss", 0.5, DateTimeOffset.FromUnixTimeMilliseconds(1000), 0), new("loss", double.NaN, DateTimeOffset.FromUnixTimeMilliseconds(2000), 1)],
            });
            await backend.Runs.UploadArtifactAsync(run, "model/w.bin", new MemoryStream([1, 2, 3]));
            await backend.Runs.EndAsync(run, RunStatus.Succeeded);
            await backend.Models.CreateModelAsync("m");
            await backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{run.Id}/model" });
            await backend.Models.SetAliasAsync("m", "champion", "1");
            await backend.Models.TransitionStageAsync("m", "1", "Staging");

            RegisterTwoSteps(backend);
            var triggered = await backend.Pipelines.TriggerAsync("etl", new TriggerOptions { Parameters = new() { ["day"] = "mon" } });
            pipelineRunId = triggered.Id;
            (await backend.Runs.WaitForCompletionAsync(triggered, new WaitOptions { InitialPollInterval = TimeSpan.FromMilliseconds(10) })).Status.Should().Be(RunStatus.Succeeded);
        }

        await using (var reopened = Open())
        {
            var run = await reopened.Runs.GetAsync(runId);
            run.Status.Should().Be(RunStatus.Succeeded);
            run.Name.Should().Be("r1");
            run.Params.Should().Contain("lr", "0.1");
            run.Tags.Should().Contain("phase", "train");
            double.IsNaN(run.Metrics["loss"]).Should().BeTrue();
            (await reopened.Runs.GetMetricHistoryAsync(run, "loss").ToListAsync()).Select(p => p.Value).Should().Equal(0.5, double.NaN);
            (await reopened.Runs.GetExperimentByNameAsync("durable")).Tags.Should().Contain("k", "v");
            await using (var file = await reopened.Runs.DownloadArtifactAsync(run, "model/w.bin"))
            {
                var copy = new MemoryStream();
                await file.CopyToAsync(copy);
                copy.ToArray().Should().Equal(1, 2, 3);
            }
            var champion = await reopened.Models.GetVersionByAliasAsync("m", "champion");
            champion.Version.Should().Be("1");
            champion.Stage.Should().Be("Staging");
            (await reopened.Models.ListVersionFilesAsync("m", "1").ToListAsync()).Should().ContainSingle(f => f.Path == "w.bin" && f.Size == 3);

            var pipelineRun = await reopened.Runs.GetAsync(pipelineRunId);
            pipelineRun.Status.Should().Be(RunStatus.Succeeded);
            pipelineRun.Params.Should().Contain("day", "mon");
            pipelineRun.Metrics.Should().Contain("rows", 3);
            (await reopened.Pipelines.GetAsync("etl")).Name.Should().Be("etl");
            var tasks = await reopened.Pipelines.ListTaskRunsAsync(pipelineRun).ToListAsync();
            tasks.Select(t => (t.Id, t.Status, t.Attempt)).Should().Equal(("extract", RunStatus.Succeeded, 1), ("load", RunStatus.Succeeded, 1));
            (await reopened.Pipelines.ReadTaskLogAsync(pipelineRun, "extract").ToListAsync()).Should().Equal("extracted 3 rows");

            await FluentActions.Awaiting(() => reopened.Pipelines.TriggerAsync("etl")).Should().ThrowAsync<MlopsValidationException>()
                .WithMessage("*not registered in this process*");
            RegisterTwoSteps(reopened);
            (await reopened.Pipelines.ListVersionsAsync("etl").ToListAsync()).Should().ContainSingle("re-registering the same steps keeps the version");
        }
    }

    public static TheoryData<string> DeadOwners => new() { "pid-reused", "no-such-pid" };

    [Theory]
    [MemberData(nameof(DeadOwners))]
    public async Task Runs_of_a_dead_process_are_marked_Failed_on_open_and_keep_their_flushed_data(string how)
    {
        using var self = Process.GetCurrentProcess();
        var dead = how == "pid-reused"
            ? new OwnerIdentity("dead-instance", self.Id, self.StartTime.ToUniversalTime().AddHours(-3).Ticks)
            : new OwnerIdentity("dead-instance", int.MaxValue - 7, DateTime.UtcNow.Ticks);
        string runId, queuedId;
        var crashed = Open(dead);
        var experiment = await crashed.Runs.CreateExperimentAsync("crash");
        var run = await crashed.Runs.CreateRunAsync(experiment.Id);
        runId = run.Id;
        await crashed.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = [.. Enumerable.Range(0, 50).Select(i => new MetricPoint("loss", i, DateTimeOffset.UnixEpoch, i))] });
        crashed.Pipelines.Register("paused", p => p.Step("never", _ => { }));
        await crashed.Pipelines.PauseAsync("paused");
        queuedId = (await crashed.Pipelines.TriggerAsync("paused")).Id;
        // The "process" dies: no EndAsync, no Dispose — its connections are simply abandoned.

        // What a killed process leaves on disk: the database file and its WAL (the shared-memory index is rebuilt).
        using var copy = new TempDirectory();
        File.Copy(_dir.File("mlops.db"), copy.File("mlops.db"));
        if (File.Exists(_dir.File("mlops.db-wal")))
        {
            File.Copy(_dir.File("mlops.db-wal"), copy.File("mlops.db-wal"));
        }
        await using (var fromDisk = LocalBackend.Open(copy.File("mlops.db")))
        {
            var recovered = await fromDisk.Runs.GetAsync(runId);
            recovered.Status.Should().Be(RunStatus.Failed);
            (await fromDisk.Runs.GetMetricHistoryAsync(recovered, "loss").ToListAsync()).Should().HaveCount(50, "committed data lives in the WAL file");
        }

        await using var reopened = Open();
        var failed = await reopened.Runs.GetAsync(runId);
        failed.Status.Should().Be(RunStatus.Failed);
        failed.EndTime.Should().NotBeNull();
        failed.Tags[Recovery.FailureTag].Should().Contain("exited");
        (await reopened.Runs.GetMetricHistoryAsync(failed, "loss").ToListAsync()).Should().HaveCount(50, "flushed data survives the crash");
        (await reopened.Runs.GetAsync(queuedId)).Status.Should().Be(RunStatus.Failed);
        (await reopened.Pipelines.ListTaskRunsAsync(queuedId).ToListAsync()).Single().Status.Should().Be(RunStatus.Skipped);
        crashed.Dispose();
    }

    [Fact]
    public async Task A_second_live_instance_does_not_fail_the_first_ones_runs()
    {
        await using var first = Open();
        var experiment = await first.Runs.CreateExperimentAsync("shared");
        var run = await first.Runs.CreateRunAsync(experiment.Id);

        await using var second = Open();
        (await second.Runs.GetAsync(run.Id)).Status.Should().Be(RunStatus.Running, "the owner process is alive");
        await first.Runs.EndAsync(run, RunStatus.Succeeded);
        (await second.Runs.GetAsync(run.Id)).Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public async Task Concurrent_writers_in_two_instances_lose_nothing()
    {
        await using var a = Open();
        await using var b = Open();
        var shared = await a.Runs.CreateRunAsync((await a.Runs.CreateExperimentAsync("concurrent")).Id);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var backend = w % 2 == 0 ? a : b;
            for (var i = 0; i < 25; i++)
            {
                await backend.Runs.LogBatchAsync(shared, new RunLogBatch
                {
                    Metrics = [new MetricPoint($"w{w}", i, DateTimeOffset.UnixEpoch, i)],
                    Tags = [new("last", $"{w}-{i}")],
                });
            }
            await using var active = await backend.Runs.StartAsync("concurrent-starts", new RunStartOptions { FlushInterval = TimeSpan.Zero });
            active.LogMetric("x", w);
            active.Complete();
        })).ToArray();
        await Task.WhenAll(writers);

        var run = await b.Runs.GetAsync(shared);
        run.Metrics.Should().HaveCount(8);
        for (var w = 0; w < 8; w++)
        {
            (await a.Runs.GetMetricHistoryAsync(shared, $"w{w}").ToListAsync()).Select(p => p.Step).Should().Equal(Enumerable.Range(0, 25).Select(i => (long)i));
        }
        var experiment = await a.Runs.GetExperimentByNameAsync("concurrent-starts");
        var started = await a.Runs.ListAsync(new RunQuery { ExperimentIds = [experiment.Id] }).ToListAsync();
        started.Should().HaveCount(8, "racing get-or-create of one experiment still yields one experiment");
        started.Should().OnlyContain(r => r.Status == RunStatus.Succeeded);
    }

    [Fact]
    public async Task Paths_cannot_escape_the_artifact_root()
    {
        await using var backend = Open();
        var run = await backend.Runs.CreateRunAsync((await backend.Runs.CreateExperimentAsync("paths")).Id);
        foreach (var bad in new[] { "../x", "a/../../x", "a/./b", "a//b", "a\\..\\x", "C:/x", "..", "" })
        {
            await FluentActions.Awaiting(() => backend.Runs.UploadArtifactAsync(run, bad, new MemoryStream([1])))
                .Should().ThrowAsync<MlopsValidationException>($"'{bad}' must be rejected");
            await FluentActions.Awaiting(() => backend.Runs.DownloadArtifactAsync(run, bad))
                .Should().ThrowAsync<MlopsValidationException>();
        }
        await FluentActions.Awaiting(() => backend.Runs.ListArtifactsAsync(run, "../").ToListAsync().AsTask()).Should().ThrowAsync<MlopsValidationException>();
        await backend.Models.CreateModelAsync("m");
        await FluentActions.Awaiting(() => backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{run.Id}/../../.." }))
            .Should().ThrowAsync<MlopsValidationException>();

        await backend.Runs.UploadArtifactAsync(run, "/leading/slash.txt", new MemoryStream(Encoding.UTF8.GetBytes("ok")));
        (await backend.Runs.ListArtifactsAsync(run, "leading").ToListAsync()).Should().ContainSingle(a => a.Path == "leading/slash.txt");
        Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(backend.ArtifactsRoot, StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .Should().OnlyContain(name => name!.StartsWith("mlops.db", StringComparison.Ordinal), "nothing is written outside the artifact root");
    }

    [Fact]
    public async Task In_memory_backend_keeps_artifacts_in_a_temporary_directory_it_deletes()
    {
        var backend = LocalBackend.Open(LocalBackend.InMemoryPath);
        backend.DatabasePath.Should().BeNull();
        var run = await backend.Runs.CreateRunAsync((await backend.Runs.CreateExperimentAsync("mem")).Id);
        await backend.Runs.UploadArtifactAsync(run, "a.txt", new MemoryStream([1]));
        var root = backend.ArtifactsRoot;
        root.Should().StartWith(Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar));
        File.Exists(Path.Combine(run.ArtifactLocation!, "a.txt")).Should().BeTrue();
        await backend.DisposeAsync();
        Directory.Exists(root).Should().BeFalse();
    }
}
