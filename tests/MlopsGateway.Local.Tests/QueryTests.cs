namespace MlopsGateway.Local.Tests;

public sealed class QueryTests : IAsyncLifetime
{
    private LocalBackend _backend = null!;
    private string _experiment = null!;

    public async Task InitializeAsync()
    {
        _backend = LocalBackend.Open(LocalBackend.InMemoryPath);
        _experiment = (await _backend.Runs.CreateExperimentAsync("query")).Id;
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var (name, acc, optimizer, minutes) in new[] { ("a", 0.7, "sgd", 0), ("b", 0.9, "adam", 10), ("c", 0.8, "adam", 20) })
        {
            var run = await _backend.Runs.CreateRunAsync(_experiment, new RunCreateOptions { Name = name, StartTime = start.AddMinutes(minutes), Tags = new Dictionary<string, string> { ["team"] = name == "a" ? "x" : "y" } });
            await _backend.Runs.LogBatchAsync(run, new RunLogBatch { Params = [new("optimizer", optimizer)], Metrics = [new("acc", acc, start, 0)] });
            if (name == "c")
            {
                await _backend.Runs.EndAsync(run, RunStatus.Failed);
            }
        }
    }

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    private async Task<List<string?>> NamesAsync(RunQuery query)
        => (await _backend.Runs.ListAsync(query with { ExperimentIds = [_experiment] }).ToListAsync()).Select(r => r.Name).ToList();

    [Fact]
    public async Task Filters_and_orderings_are_evaluated_in_SQL()
    {
        (await NamesAsync(new RunQuery())).Should().Equal("c", "b", "a");
        (await NamesAsync(new RunQuery { Metrics = [new MetricPredicate("acc", ComparisonOperator.GreaterThanOrEqual, 0.8)] })).Should().Equal("c", "b");
        (await NamesAsync(new RunQuery { Params = [new ParamPredicate("optimizer", ComparisonOperator.Equal, "adam")], Statuses = [RunStatus.Running] })).Should().Equal("b");
        (await NamesAsync(new RunQuery { Tags = new Dictionary<string, string> { ["team"] = "y" } })).Should().Equal("c", "b");
        (await NamesAsync(new RunQuery { OrderBy = [new RunOrdering(RunSortField.Metric, Descending: true, Key: "acc")] })).Should().Equal("b", "c", "a");
        (await NamesAsync(new RunQuery { OrderBy = [new RunOrdering(RunSortField.Name, Descending: false)] })).Should().Equal("a", "b", "c");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        (await NamesAsync(new RunQuery { StartedAfter = start.AddMinutes(5), StartedBefore = start.AddMinutes(20) })).Should().Equal("b");
    }

    [Fact]
    public async Task Native_filters_and_bad_tokens_are_rejected()
    {
        FluentActions.Invoking(() => _backend.Runs.ListAsync(new RunQuery { NativeFilter = "metrics.acc > 0.5" })).Should().Throw<MlopsNotSupportedException>();
        await FluentActions.Awaiting(async () => { await foreach (var _ in _backend.Runs.ListAsync().AsPages("not-a-token")) { } }).Should().ThrowAsync<MlopsValidationException>();
        await FluentActions.Awaiting(() => _backend.Runs.LogBatchAsync(new RunRef("missing"), new RunLogBatch { Tags = [new("a", "b")] })).Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => _backend.Runs.LogBatchAsync(new RunRef("missing"), new RunLogBatch { Tags = [new(new string('k', 251), "b")] })).Should().ThrowAsync<MlopsValidationException>();
    }

    [Fact]
    public async Task The_latest_metric_is_the_one_at_the_highest_step_across_batches()
    {
        var run = await _backend.Runs.CreateRunAsync(_experiment);
        var t0 = DateTimeOffset.UnixEpoch;
        await _backend.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = [new("m", 5, t0, 5), new("m", 4, t0.AddSeconds(9), 4)] });
        await _backend.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = [new("m", 3, t0.AddSeconds(20), 3)] });
        (await _backend.Runs.GetAsync(run)).Metrics["m"].Should().Be(5, "a later batch at a lower step does not replace it");
        await _backend.Runs.LogBatchAsync(run, new RunLogBatch { Metrics = [new("m", 6, t0, 5), new("m", 7, t0.AddSeconds(1), 5)] });
        (await _backend.Runs.GetAsync(run)).Metrics["m"].Should().Be(7, "at the same step the newer timestamp wins");
    }
}
