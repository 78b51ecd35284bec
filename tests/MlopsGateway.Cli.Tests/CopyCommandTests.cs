using System.Text;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.MLflow.Tests.Fake;

namespace MlopsGateway.Cli.Tests;

/// <summary><c>copy runs</c>: Local ↔ Local, Local ↔ MLflow, Airflow → MLflow; idempotence, histories, artifacts, progress.</summary>
public sealed class CopyCommandTests : IDisposable
{
    private readonly Workspace _workspace = new("local", "archive");

    public void Dispose() => _workspace.Dispose();

    private async Task<(Run First, Run Second)> SeedAsync()
    {
        await using var local = _workspace.Open();
        var first = await Seed.RunAsync(local, "mnist", "small", accuracy: 0.91, points: 30);
        var second = await Seed.RunAsync(local, "mnist", "large", accuracy: 0.97, points: 12, artifact: "plots/loss.txt");
        return (first, second);
    }

    [Fact]
    public async Task Copies_runs_with_params_tags_histories_and_artifacts_and_never_twice()
    {
        var (first, second) = await SeedAsync();
        var json = (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "archive", "--experiment", "mnist", "--json")).ShouldExit(0).Json;
        ((int)json["copied"]!).Should().Be(2);
        ((int)json["skipped"]!).Should().Be(0);
        var firstCopy = json["runs"]!.AsArray().Single(r => (string?)r!["source"] == $"local:{first.Id}")!;
        ((string?)firstCopy["result"]).Should().Be("copied");
        ((int)firstCopy["params"]!).Should().Be(2);
        ((long)firstCopy["metricPoints"]!).Should().Be(31);
        ((int)firstCopy["artifacts"]!).Should().Be(1);
        ((long)firstCopy["bytes"]!).Should().Be("weights of small".Length);

        await AssertCopiedAsync(_workspace.Open(), _workspace.Open("archive"), first, "model/weights.json");
        await AssertCopiedAsync(_workspace.Open(), _workspace.Open("archive"), second, "plots/loss.txt");

        var again = (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "archive", "--experiment", "mnist", "--json")).ShouldExit(0).Json;
        ((int)again["copied"]!).Should().Be(0);
        ((int)again["skipped"]!).Should().Be(2);
        again["runs"]!.AsArray().Should().OnlyContain(r => (string?)r!["reason"] == "already copied");
        await using var archive = _workspace.Open("archive");
        (await archive.Runs.ListAsync().ToListAsync()).Should().HaveCount(2, "a re-run copies nothing twice");
    }

    [Fact]
    public async Task An_incomplete_earlier_copy_is_replaced()
    {
        var (first, _) = await SeedAsync();
        await using (var archive = _workspace.Open("archive"))
        {
            var experiment = await archive.Runs.CreateExperimentAsync("mnist");
            await archive.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions { Tags = new Dictionary<string, string> { ["mlops.copy.source"] = $"local:{first.Id}" } });
        }
        (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "archive", "-e", "mnist", "--json")).ShouldExit(0).Json["copied"]!.GetValue<int>().Should().Be(2);
        await using var after = _workspace.Open("archive");
        var copies = await after.Runs.ListAsync().ToListAsync();
        copies.Should().HaveCount(2);
        copies.Should().OnlyContain(r => r.Tags["mlops.copy.complete"] == "true");
    }

    [Fact]
    public async Task Since_limits_the_copy_to_newer_runs_and_the_summary_reads_as_a_table()
    {
        await SeedAsync();
        var none = (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "archive", "-e", "mnist", "--since", "2999-01-01", "--json")).ShouldExit(0).Json;
        ((int)none["copied"]!).Should().Be(0);
        none["runs"]!.AsArray().Should().BeEmpty();

        var text = (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "archive", "-e", "mnist", "--since", "2000-01-01")).ShouldExit(0).Stdout;
        text.Should().Contain("SOURCE").And.Contain("METRIC POINTS").And.Contain("copied").And.Contain("2 copied, 0 skipped").And.NotContain(Terminals.Escape);
        (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "archive", "-e", "mnist", "--since", "yesterday")).ShouldExit(2).Stderr.Should().Contain("'yesterday' is not a date");
    }

    [Fact]
    public async Task The_progress_bar_renders_on_a_terminal_and_not_in_json_mode()
    {
        await SeedAsync();
        var terminal = Terminals.Interactive();
        var cli = _workspace.Cli();
        cli.Console = terminal;
        (await cli.RunAsync("copy", "runs", "--from", "local", "--to", "archive", "-e", "mnist")).ShouldExit(0);
        terminal.Output.Should().Contain(Terminals.Escape).And.Contain("100%").And.Contain("copied local → archive").And.Contain("2 copied, 0 skipped");

        var quiet = Terminals.Interactive();
        var json = _workspace.Cli();
        json.Console = quiet;
        (await json.RunAsync("copy", "runs", "--from", "local", "--to", "archive", "-e", "mnist", "--json")).ShouldExit(0);
        quiet.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task Usage_errors()
    {
        (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "local", "-e", "x")).ShouldFailWithOneLine(2, "the same backend");
        (await _workspace.Cli().RunAsync("copy", "runs", "--from", "nope", "--to", "archive", "-e", "x")).ShouldFailWithOneLine(2, "--from: no backend named 'nope'");
        (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "archive", "-e", "nope")).ShouldFailWithOneLine(4, "no experiment named 'nope'");
    }

    [Fact]
    public async Task Local_to_MLflow_and_back_keeps_every_metric_point_and_artifact_byte()
    {
        var (first, second) = await SeedAsync();
        await using var mlflow = await MLflowFake.StartAsync();
        _workspace.Add("tracking", Servers.MLflow(mlflow.BaseUri));

        var there = (await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "tracking", "-e", "mnist", "--json")).ShouldExit(0).Json;
        ((int)there["copied"]!).Should().Be(2);
        var back = (await _workspace.Cli().RunAsync("copy", "runs", "--from", "tracking", "--to", "archive", "-e", "mnist", "--json")).ShouldExit(0).Json;
        ((int)back["copied"]!).Should().Be(2);
        back["runs"]!.AsArray().Should().OnlyContain(r => ((string)r!["source"]!).StartsWith("tracking:", StringComparison.Ordinal));

        await AssertCopiedAsync(_workspace.Open(), _workspace.Open("archive"), first, "model/weights.json");
        await AssertCopiedAsync(_workspace.Open(), _workspace.Open("archive"), second, "plots/loss.txt");
        ((int)(await _workspace.Cli().RunAsync("copy", "runs", "--from", "local", "--to", "tracking", "-e", "mnist", "--json")).ShouldExit(0).Json["skipped"]!).Should().Be(2);
    }

    [Fact]
    public async Task Airflow_runs_become_tracked_MLflow_runs_with_their_task_states_as_tags()
    {
        await using var airflow = await AirflowFake.StartAsync(new AirflowFakeOptions { AdvanceOnRunRead = true });
        airflow.AddDag("train_dag", ["extract", "train"]);
        await using var mlflow = await MLflowFake.StartAsync();
        _workspace.Add("orchestrator", Servers.Airflow(airflow)).Add("tracking", Servers.MLflow(mlflow.BaseUri));

        var triggered = (await _workspace.Cli().RunAsync("pipelines", "trigger", "train_dag", "-b", "orchestrator", "-p", "epochs=3", "-p", "dataset=mnist",
            "--run-name", "nightly", "--wait", "--poll-interval", "20ms", "--json")).ShouldExit(0).Json;
        ((string?)triggered["run"]!["status"]).Should().Be("Succeeded");
        triggered["tasks"]!.AsArray().Select(t => (string?)t!["name"]).Should().Equal("extract", "train");
        var dagRun = (string)triggered["run"]!["ref"]!;

        var copy = (await _workspace.Cli().RunAsync("copy", "runs", "--from", "orchestrator", "--to", "tracking", "-e", "train_dag", "--json")).ShouldExit(0).Json;
        var copied = copy["runs"]!.AsArray().Should().ContainSingle().Subject!;
        ((string?)copied["source"]).Should().Be(dagRun);
        ((string?)copied["result"]).Should().Be("copied");

        var shown = (await _workspace.Cli().RunAsync("runs", "list", "-b", "tracking", "-e", "train_dag", "--json")).ShouldExit(0).Json["runs"]!.AsArray().Should().ContainSingle().Subject!;
        ((string?)shown["status"]).Should().Be("Succeeded");
        ((string?)shown["params"]!["epochs"]).Should().Be("3");
        ((string?)shown["params"]!["dataset"]).Should().Be("mnist");
        ((string?)shown["tags"]!["mlops.task.extract"]).Should().Be("Succeeded");
        ((string?)shown["tags"]!["mlops.task.train"]).Should().Be("Succeeded");
        ((string?)shown["tags"]!["mlops.copy.pipeline"]).Should().Be("train_dag");
        ((string?)shown["tags"]!["mlops.copy.source"]).Should().Be(dagRun);

        ((int)(await _workspace.Cli().RunAsync("copy", "runs", "--from", "orchestrator", "--to", "tracking", "-e", "train_dag", "--json")).ShouldExit(0).Json["copied"]!).Should().Be(0);
        (await _workspace.Cli().RunAsync("copy", "runs", "--from", "tracking", "--to", "orchestrator", "-e", "x")).ShouldFailWithOneLine(2, "cannot record tracked runs");
    }

    /// <summary>The copy of <paramref name="original"/> in <paramref name="target"/> has its params, full histories, tags and artifact bytes.</summary>
    private static async Task AssertCopiedAsync(IMlopsBackend source, IMlopsBackend target, Run original, string artifact)
    {
        await using var _ = (IAsyncDisposable)source;
        await using var __ = (IAsyncDisposable)target;
        var copy = (await target.Runs.ListAsync().ToListAsync()).Single(r => r.Name == original.Name);
        copy.Status.Should().Be(RunStatus.Succeeded);
        copy.Params.Should().BeEquivalentTo(original.Params);
        copy.Tags["team"].Should().Be("vision");
        copy.Tags["mlops.copy.complete"].Should().Be("true");
        copy.StartTime.Should().Be(original.StartTime);
        foreach (var key in original.Metrics.Keys)
        {
            var expected = await source.Runs.GetMetricHistoryAsync(original, key).ToListAsync();
            var actual = await target.Runs.GetMetricHistoryAsync(copy, key).ToListAsync();
            actual.Select(p => (p.Step, p.Value, p.Timestamp)).Should().Equal(expected.Select(p => (p.Step, p.Value, p.Timestamp)));
        }
        await using var stream = await target.Runs.DownloadArtifactAsync(copy, artifact);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        (await reader.ReadToEndAsync()).Should().Be($"weights of {original.Name}");
    }
}
