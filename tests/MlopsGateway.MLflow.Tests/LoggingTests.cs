namespace MlopsGateway.MLflow.Tests;

/// <summary>log-batch chunking at MLflow's limits, client-side rejection of what the server would truncate or ignore, and the ActiveRun helper.</summary>
public sealed class LoggingTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task A_large_batch_is_split_into_requests_that_each_fit_every_limit()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");

        await h.Runs.LogBatchAsync(run, new RunLogBatch
        {
            Params = Enumerable.Range(0, 150).Select(i => new KeyValuePair<string, string>($"p{i}", "v")).ToList(),
            Tags = Enumerable.Range(0, 250).Select(i => new KeyValuePair<string, string>($"t{i}", "v")).ToList(),
            Metrics = Enumerable.Range(0, 2500).Select(i => new MetricPoint("m", i, T0, i)).ToList(),
        });

        var batches = h.Calls("runs/log-batch").Select(MLflowHarness.Body).ToList();
        foreach (var body in batches)
        {
            var metrics = body["metrics"]?.AsArray().Count ?? 0;
            var parameters = body["params"]?.AsArray().Count ?? 0;
            var tags = body["tags"]?.AsArray().Count ?? 0;
            metrics.Should().BeLessThanOrEqualTo(1000);
            parameters.Should().BeLessThanOrEqualTo(100);
            tags.Should().BeLessThanOrEqualTo(100);
            (metrics + parameters + tags).Should().BeLessThanOrEqualTo(1000);
            body["run_id"]!.GetValue<string>().Should().Be(run.Id);
        }
        batches.Sum(b => b["metrics"]?.AsArray().Count ?? 0).Should().Be(2500);
        h.Fake.History(run.Id).Should().HaveCount(2500);
        var read = await h.Runs.GetAsync(run);
        read.Params.Should().HaveCount(150);
        read.Tags.Keys.Count(k => k.StartsWith('t')).Should().Be(250);
    }

    [Theory]
    [InlineData("param-value")]
    [InlineData("tag-value")]
    [InlineData("metric-key")]
    [InlineData("param-key")]
    [InlineData("negative-timestamp")]
    public async Task Values_the_server_would_truncate_or_reject_fail_client_side_with_nothing_sent(string what)
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        h.Fake.ClearRequests();
        var batch = what switch
        {
            "param-value" => new RunLogBatch { Params = [new("ok", "1"), new("long", new string('p', 6001))] },
            "tag-value" => new RunLogBatch { Tags = [new("long", new string('t', 8001))] },
            "metric-key" => new RunLogBatch { Metrics = [new(new string('k', 251), 1, T0)] },
            "param-key" => new RunLogBatch { Params = [new(new string('k', 251), "v")] },
            _ => new RunLogBatch { Metrics = [new("m", 1, DateTimeOffset.UnixEpoch.AddMilliseconds(-1))] },
        };

        await h.Runs.Invoking(r => r.LogBatchAsync(run, batch)).Should().ThrowAsync<MlopsValidationException>();
        h.Fake.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Values_at_the_limits_are_sent_and_stored_untruncated()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.LogBatchAsync(run, new RunLogBatch { Params = [new("p", new string('p', 6000))], Tags = [new(new string('k', 250), new string('t', 8000))] });
        await h.Runs.SetTagAsync(run, "single", new string('s', 8000));
        var read = await h.Runs.GetAsync(run);
        read.Params["p"].Should().HaveLength(6000);
        read.Tags["single"].Should().HaveLength(8000);
        await h.Runs.Invoking(r => r.SetTagAsync(run, "single", new string('s', 8001))).Should().ThrowAsync<MlopsValidationException>();
    }

    [Fact]
    public async Task Relogging_a_param_with_the_same_value_is_fine_and_a_different_value_is_a_conflict()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.LogBatchAsync(run, new RunLogBatch { Params = [new("lr", "0.01")] });
        await h.Runs.LogBatchAsync(run, new RunLogBatch { Params = [new("lr", "0.01")] });

        var thrown = (await h.Runs.Invoking(r => r.LogBatchAsync(run, new RunLogBatch { Params = [new("lr", "0.02")] }))
            .Should().ThrowAsync<MlopsConflictException>()).Which;
        thrown.Status.Should().Be(400);
        thrown.ErrorCode.Should().Be("INVALID_PARAMETER_VALUE");
        thrown.Operation.Should().Be("Runs.LogBatch");
        (await h.Runs.GetAsync(run)).Params["lr"].Should().Be("0.01");
    }

    [Fact]
    public async Task A_param_without_a_value_is_rejected_client_side()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        h.Fake.ClearRequests();
        await h.Runs.Invoking(r => r.LogBatchAsync(run, new RunLogBatch { Params = [new("novalue", null!)] })).Should().ThrowAsync<MlopsValidationException>();
        h.Fake.Requests.Should().BeEmpty("the server would store an empty string silently");
    }

    [Fact]
    public async Task Active_run_sends_2500_metrics_in_exactly_three_log_batch_requests_and_ends_finished()
    {
        await using var h = await MLflowHarness.StartAsync();

        var final = await h.Runs.RunAsync("mnist", new RunStartOptions { Name = "cnn", FlushInterval = TimeSpan.Zero }, async (run, ct) =>
        {
            for (var i = 0; i < 2500; i++)
            {
                await run.LogMetricAsync("loss", 1.0 / (i + 1), step: i, cancellationToken: ct);
            }
        });

        h.Calls("runs/log-batch").Should().HaveCount(3);
        h.Calls("runs/log-batch").Select(r => MLflowHarness.Body(r)["metrics"]!.AsArray().Count).Should().BeEquivalentTo([1000, 1000, 500]);
        final.Status.Should().Be(RunStatus.Succeeded);
        final.RawStatus.Should().Be("FINISHED");
        h.Fake.History(final.Id).Should().HaveCount(2500);
        h.Calls("experiments/create").Should().ContainSingle("the experiment was created on first use");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(100_000)]
    public async Task The_helper_sends_exactly_ceil_n_over_1000_log_batch_requests(int n)
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.StartAsync("bulk", new RunStartOptions { FlushInterval = TimeSpan.Zero });
        await using (run)
        {
            for (var i = 0; i < n; i++)
            {
                await run.LogMetricAsync("m", i, step: i, timestamp: T0);
            }
            await run.FlushAsync();
            run.Complete();
        }

        h.Calls("runs/log-batch").Should().HaveCount((n + 999) / 1000);
        h.Fake.History(run.Id).Should().HaveCount(n);
        run.FinalRun!.Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public async Task Active_run_that_throws_ends_failed_and_keeps_params_and_tags_in_order()
    {
        await using var h = await MLflowHarness.StartAsync();
        var act = () => h.Runs.RunAsync("mnist", new RunStartOptions { FlushInterval = TimeSpan.Zero }, (run, _) =>
        {
            run.LogParam("lr", 0.01);
            run.SetTag("phase", "train");
            run.SetTag("phase", "eval");
            throw new InvalidOperationException("boom");
        });

        await act.Should().ThrowAsync<InvalidOperationException>();
        var run = (await h.Runs.ListAsync(new RunQuery { ExperimentIds = [(await h.Runs.GetExperimentByNameAsync("mnist")).Id] }).ToListAsync()).Single();
        run.Status.Should().Be(RunStatus.Failed);
        run.Params["lr"].Should().Be("0.01");
        run.Tags["phase"].Should().Be("eval");
    }

    [Fact]
    public async Task Active_run_on_a_soft_deleted_experiment_is_a_conflict_and_never_restores_it()
    {
        await using var h = await MLflowHarness.StartAsync();
        var experiment = await h.Runs.CreateExperimentAsync("gone");
        await h.Runs.DeleteExperimentAsync(experiment.Id);

        await h.Runs.Invoking(r => r.StartAsync("gone")).Should().ThrowAsync<MlopsConflictException>();
        h.Calls("experiments/restore").Should().BeEmpty();
        h.Calls("runs/create").Should().BeEmpty();
    }
}

/// <summary>Metric history pages never exceed the requested size, even though 2.x ignores max_results, and resume from a token.</summary>
public sealed class HistoryPagingTests
{
    [Fact]
    public async Task History_is_re_chunked_to_the_page_size_and_resumable()
    {
        await using var h = await MLflowHarness.StartAsync();
        var run = await h.Runs.CreateRunAsync("0");
        var t = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        await h.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = Enumerable.Range(0, 25).Select(i => new MetricPoint("m", i, t, i)).ToList() });
        h.Fake.ClearRequests();

        var pages = new List<MlopsPage<MetricPoint>>();
        await foreach (var page in h.Runs.GetMetricHistoryAsync(run, "m").AsPages(null, 10))
        {
            pages.Add(page);
        }

        pages.Select(p => p.Values.Count).Should().Equal(10, 10, 5);
        pages[^1].ContinuationToken.Should().BeNull();
        h.Calls("metrics/get-history").Should().ContainSingle("the whole 2.x answer is cut into pages without fetching it again");
        h.Calls("metrics/get-history")[0].Query.Should().Contain("max_results=10");

        var resumed = new List<MetricPoint>();
        await foreach (var page in h.Runs.GetMetricHistoryAsync(run, "m").AsPages(pages[0].ContinuationToken, 10))
        {
            resumed.AddRange(page.Values);
        }
        resumed.Select(p => p.Step).Should().Equal(Enumerable.Range(10, 15).Select(i => (long)i));
        await h.Runs.Invoking(r => r.GetMetricHistoryAsync(run, "m").AsPages("bogus", 10).ToListAsync()).Should().ThrowAsync<MlopsValidationException>();
    }
}
