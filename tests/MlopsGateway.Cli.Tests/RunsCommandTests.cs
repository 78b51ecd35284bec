using System.Text.Json.Nodes;
using MlopsGateway.Local;

namespace MlopsGateway.Cli.Tests;

/// <summary><c>experiments list</c> and <c>runs list|show|compare|metric</c> on Local.</summary>
public sealed class RunsCommandTests : IAsyncLifetime
{
    private readonly Workspace _workspace = new("local");
    private Run _first = null!;
    private Run _second = null!;

    public async Task InitializeAsync()
    {
        await using var local = _workspace.Open();
        _first = await Seed.RunAsync(local, "mnist", "small", accuracy: 0.91, points: 3, lr: "0.01");
        _second = await Seed.RunAsync(local, "mnist", "large", accuracy: 0.97, points: 5, lr: "0.1");
        await Seed.RunAsync(local, "other", "unrelated", accuracy: 0.5);
    }

    public Task DisposeAsync()
    {
        _workspace.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Experiments_list()
    {
        var text = (await _workspace.Cli().RunAsync("experiments", "list")).ShouldExit(0).Stdout;
        text.Should().Contain("mnist").And.Contain("other");
        var json = (await _workspace.Cli().RunAsync("experiments", "list", "--json")).ShouldExit(0).Json;
        var mnist = json["experiments"]!.AsArray().Single(e => (string?)e!["name"] == "mnist")!;
        ((string?)mnist["backend"]).Should().Be("local");
        ((string?)mnist["id"]).Should().Be(_first.ExperimentId);
        ((string?)mnist["state"]).Should().Be("Active");
    }

    [Fact]
    public async Task Runs_list_filters_by_experiment_status_condition_and_limit()
    {
        var all = (await _workspace.Cli().RunAsync("runs", "list", "--experiment", "mnist", "--json")).ShouldExit(0).Json["runs"]!.AsArray();
        all.Select(r => (string?)r!["id"]).Should().BeEquivalentTo(_first.Id, _second.Id);
        var run = all.Single(r => (string?)r!["id"] == _second.Id)!;
        ((string?)run["ref"]).Should().Be($"local:{_second.Id}");
        ((string?)run["status"]).Should().Be("Succeeded");
        ((string?)run["params"]!["lr"]).Should().Be("0.1");
        ((double)run["metrics"]!["accuracy"]!).Should().Be(0.97);
        ((string?)run["tags"]!["team"]).Should().Be("vision");

        var filtered = (await _workspace.Cli().RunAsync("runs", "list", "-e", "mnist", "--filter", "metrics.accuracy >= 0.95 and params.lr = 0.1", "--json")).ShouldExit(0).Json;
        filtered["runs"]!.AsArray().Select(r => (string?)r!["id"]).Should().Equal(_second.Id);

        var notTagged = (await _workspace.Cli().RunAsync("runs", "list", "--filter", "tags.team != vision", "--json")).ShouldExit(0).Json;
        notTagged["runs"]!.AsArray().Should().BeEmpty();

        (await _workspace.Cli().RunAsync("runs", "list", "--status", "failed", "--json")).ShouldExit(0).Json["runs"]!.AsArray().Should().BeEmpty();
        (await _workspace.Cli().RunAsync("runs", "list", "--limit", "2", "--json")).ShouldExit(0).Json["runs"]!.AsArray().Should().HaveCount(2);

        var table = (await _workspace.Cli().RunAsync("runs", "list", "-e", "mnist")).ShouldExit(0).Stdout;
        table.Should().Contain($"local:{_first.Id}").And.Contain("small").And.Contain("large").And.Contain("Succeeded").And.NotContain("unrelated");
    }

    [Fact]
    public async Task Runs_list_rejects_a_malformed_filter_and_an_unknown_experiment()
    {
        (await _workspace.Cli().RunAsync("runs", "list", "--filter", "accuracy > 0.9")).ShouldFailWithOneLine(2, "--filter \"accuracy > 0.9\": 'accuracy > 0.9' is not a comparison");
        (await _workspace.Cli().RunAsync("runs", "list", "--filter", "metrics.accuracy >= high")).ShouldFailWithOneLine(2, "'high' is not a number");
        (await _workspace.Cli().RunAsync("runs", "list", "--filter", "params.lr > 1")).ShouldFailWithOneLine(2, "use = or != with params.lr");
        (await _workspace.Cli().RunAsync("runs", "list", "--experiment", "nope")).ShouldFailWithOneLine(4, "no experiment named 'nope'");
    }

    [Fact]
    public async Task Runs_show_prints_params_metrics_tags_and_artifacts()
    {
        var json = (await _workspace.Cli().RunAsync("runs", "show", _first.Id, "--json")).ShouldExit(0).Json;
        ((string?)json["run"]!["name"]).Should().Be("small");
        ((double)json["run"]!["metrics"]!["loss"]!).Should().BeApproximately(1.0 / 3, 1e-12);
        var artifact = json["artifacts"]!.AsArray().Should().ContainSingle().Subject!;
        ((string?)artifact["path"]).Should().Be("model/weights.json");
        ((long)artifact["size"]!).Should().Be("weights of small".Length);

        var text = (await _workspace.Cli().RunAsync("runs", "show", _first.Id)).ShouldExit(0).Stdout;
        text.Should().Contain("small").And.Contain("PARAM").And.Contain("lr").And.Contain("0.01")
            .And.Contain("METRIC").And.Contain("accuracy").And.Contain("0.91")
            .And.Contain("TAG").And.Contain("team").And.Contain("weights.json").And.Contain("model/");
    }

    [Fact]
    public async Task A_run_printed_as_backend_colon_id_is_read_from_its_own_backend()
    {
        _workspace.AddLocal("archive");
        Run archived;
        await using (var archive = _workspace.Open("archive"))
        {
            archived = await Seed.RunAsync(archive, "old", "kept", accuracy: 0.5);
        }

        var json = (await _workspace.Cli().RunAsync("runs", "show", $"archive:{archived.Id}", "--json")).ShouldExit(0).Json;
        ((string?)json["run"]!["name"]).Should().Be("kept", "the reference names the backend, whatever the default is");
        (await _workspace.Cli().RunAsync("runs", "show", archived.Id)).ShouldFailWithOneLine(4, archived.Id);
        (await _workspace.Cli().RunAsync("runs", "show", $"nowhere:{archived.Id}")).ShouldFailWithOneLine(2, "nowhere");
    }

    [Fact]
    public async Task Runs_show_of_an_unknown_run_is_exit_code_4()
        => (await _workspace.Cli().RunAsync("runs", "show", "0123456789abcdef")).ShouldFailWithOneLine(4, "0123456789abcdef");

    [Fact]
    public async Task Runs_compare_puts_params_and_metrics_side_by_side_and_marks_differences()
    {
        var json = (await _workspace.Cli().RunAsync("runs", "compare", _first.Id, _second.Id, "--json")).ShouldExit(0).Json;
        json["runs"]!.AsArray().Select(r => (string?)r).Should().Equal($"local:{_first.Id}", $"local:{_second.Id}");
        var lr = json["params"]!.AsArray().Single(p => (string?)p!["key"] == "lr")!;
        lr["values"]!.AsArray().Select(v => (string?)v).Should().Equal("0.01", "0.1");
        ((bool)lr["differs"]!).Should().BeTrue();
        var accuracy = json["metrics"]!.AsArray().Single(p => (string?)p!["key"] == "accuracy")!;
        accuracy["values"]!.AsArray().Select(v => (double?)v).Should().Equal(0.91, 0.97);
        ((bool)accuracy["differs"]!).Should().BeTrue();

        var text = (await _workspace.Cli().RunAsync("runs", "compare", _first.Id, _second.Id)).ShouldExit(0).Stdout;
        text.Should().Contain("params.lr").And.Contain("metrics.accuracy").And.Contain("≠").And.Contain("values differ");
        text.Split('\n').Single(l => l.Contains("params.lr")).Should().Contain("≠");

        (await _workspace.Cli().RunAsync("runs", "compare", _first.Id)).ShouldExit(2);
    }

    [Fact]
    public async Task Runs_metric_prints_the_history_and_a_chart_only_on_a_terminal()
    {
        var json = (await _workspace.Cli().RunAsync("runs", "metric", _second.Id, "loss", "--json")).ShouldExit(0).Json;
        ((string?)json["key"]).Should().Be("loss");
        ((string?)json["run"]).Should().Be($"local:{_second.Id}");
        var points = json["points"]!.AsArray();
        points.Select(p => (long)p!["step"]!).Should().Equal(0, 1, 2, 3, 4);
        points.Select(p => (double)p!["value"]!).Should().Equal(1.0, 0.5, 1.0 / 3, 0.25, 0.2);

        var redirected = (await _workspace.Cli().RunAsync("runs", "metric", _second.Id, "loss")).ShouldExit(0).Stdout;
        redirected.Should().Contain("STEP").And.Contain("0.25").And.NotContain("▁").And.NotContain(Terminals.Escape);

        var terminal = Terminals.Interactive();
        var cli = _workspace.Cli();
        cli.Console = terminal;
        (await cli.RunAsync("runs", "metric", _second.Id, "loss")).ShouldExit(0);
        terminal.Output.Should().Contain("▁").And.Contain("█").And.Contain("5 points").And.Contain("0.25");

        (await _workspace.Cli().RunAsync("runs", "metric", _second.Id, "f1")).ShouldFailWithOneLine(4, "has no metric 'f1' (metrics: accuracy, loss)");
    }
}
