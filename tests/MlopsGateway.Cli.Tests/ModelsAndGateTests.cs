namespace MlopsGateway.Cli.Tests;

/// <summary><c>models list|versions|promote</c> and <c>gate</c>: the CI deployment gate on Local.</summary>
public sealed class ModelsAndGateTests : IAsyncLifetime
{
    private readonly Workspace _workspace = new("local");
    private Run _weak = null!;
    private Run _strong = null!;

    public async Task InitializeAsync()
    {
        await using var local = _workspace.Open();
        _weak = await Seed.RunAsync(local, "mnist", "weak", accuracy: 0.90);
        _strong = await Seed.RunAsync(local, "mnist", "strong", accuracy: 0.98);
        await local.Models.CreateModelAsync("classifier", new ModelCreateOptions { Description = "digits" });
        await local.Models.CreateVersionAsync("classifier", new ModelVersionCreateOptions { Source = $"runs:/{_weak.Id}/model", Run = _weak });
        await local.Models.CreateVersionAsync("classifier", new ModelVersionCreateOptions { Source = $"runs:/{_strong.Id}/model", Run = _strong });
        await local.Models.SetAliasAsync("classifier", "champion", "1");
    }

    public Task DisposeAsync()
    {
        _workspace.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Models_list_and_versions()
    {
        var models = (await _workspace.Cli().RunAsync("models", "list", "--json")).ShouldExit(0).Json["models"]!.AsArray();
        var model = models.Should().ContainSingle().Subject!;
        ((string?)model["name"]).Should().Be("classifier");
        ((string?)model["aliases"]!["champion"]).Should().Be("1");
        (await _workspace.Cli().RunAsync("models", "list")).ShouldExit(0).Stdout.Should().Contain("champion → 1");

        var versions = (await _workspace.Cli().RunAsync("models", "versions", "classifier", "--json")).ShouldExit(0).Json["versions"]!.AsArray();
        versions.Select(v => (string?)v!["version"]).Should().Equal("1", "2");
        ((string?)versions[1]!["runId"]).Should().Be(_strong.Id);
        versions[0]!["aliases"]!.AsArray().Select(a => (string?)a).Should().Equal("champion");
        (await _workspace.Cli().RunAsync("models", "versions", "nope")).ShouldFailWithOneLine(4, "nope");
    }

    [Fact]
    public async Task Promote_moves_the_alias_when_the_source_run_passes_the_condition()
    {
        var result = (await _workspace.Cli().RunAsync("models", "promote", "classifier", "2", "--alias", "champion", "--if", "metrics.accuracy >= 0.97")).ShouldExit(0);
        result.Stdout.Trim().Should().Be("promoted: 'classifier' version 2 is now 'champion' (was version 1).");
        await using var local = _workspace.Open();
        (await local.Models.GetVersionByAliasAsync("classifier", "champion")).Version.Should().Be("2");
    }

    [Fact]
    public async Task Promote_changes_nothing_and_exits_1_when_the_condition_is_false()
    {
        var json = (await _workspace.Cli().RunAsync("models", "promote", "classifier", "1", "--alias", "production", "--if", "metrics.accuracy >= 0.97", "--json")).ShouldExit(1).Json;
        ((bool)json["promoted"]!).Should().BeFalse();
        ((string?)json["condition"]).Should().Be("metrics.accuracy >= 0.97");
        ((string?)json["run"]).Should().Be($"local:{_weak.Id}");
        ((string?)json["message"]).Should().Contain("metrics.accuracy = 0.9 not >= 0.97").And.Contain("'production' stays unset");
        await using var local = _workspace.Open();
        (await local.Models.GetModelAsync("classifier")).Aliases.Should().NotContainKey("production");
    }

    [Fact]
    public async Task Promote_rejects_a_malformed_condition_and_an_unknown_version()
    {
        (await _workspace.Cli().RunAsync("models", "promote", "classifier", "2", "--alias", "champion", "--if", "accuracy is high")).ShouldFailWithOneLine(2, "--if \"accuracy is high\"");
        (await _workspace.Cli().RunAsync("models", "promote", "classifier", "9", "--alias", "champion")).ShouldFailWithOneLine(4, "9");
        await using var local = _workspace.Open();
        (await local.Models.GetVersionByAliasAsync("classifier", "champion")).Version.Should().Be("1");
    }

    [Fact]
    public async Task Gate_passes_and_fails_on_bounds_with_one_line_saying_why()
    {
        var pass = (await _workspace.Cli().RunAsync("gate", "--run", _strong.Id, "--metric", "accuracy", "--min", "0.97")).ShouldExit(0);
        pass.Stdout.Trim().Should().Be($"PASS: accuracy = 0.98 >= 0.97 on run local:{_strong.Id}.");

        var fail = (await _workspace.Cli().RunAsync("gate", "--run", _weak.Id, "--metric", "accuracy", "--min", "0.97")).ShouldExit(1);
        fail.Stdout.Trim().Should().Be($"FAIL: accuracy = 0.9 < 0.97 (--min) on run local:{_weak.Id}.");

        (await _workspace.Cli().RunAsync("gate", "-r", _strong.Id, "-m", "loss", "--max", "0.1")).ShouldExit(1).Stdout.Should().Contain("> 0.1 (--max)");
        (await _workspace.Cli().RunAsync("gate", "-r", _strong.Id, "-m", "f1", "--min", "0.5")).ShouldExit(1).Stdout.Should().Contain("has no metric 'f1' (logged: accuracy, loss)");

        var json = (await _workspace.Cli().RunAsync("gate", "-r", _strong.Id, "-m", "accuracy", "--min", "0.9", "--max", "0.99", "--json")).ShouldExit(0).Json;
        ((bool)json["passed"]!).Should().BeTrue();
        ((double)json["value"]!).Should().Be(0.98);
        ((double)json["min"]!).Should().Be(0.9);
        ((double)json["max"]!).Should().Be(0.99);
        ((string?)json["run"]).Should().Be($"local:{_strong.Id}");
    }

    [Fact]
    public async Task Gate_on_an_experiment_checks_its_newest_succeeded_run()
    {
        var json = (await _workspace.Cli().RunAsync("gate", "--experiment", "mnist", "--metric", "accuracy", "--min", "0.95", "--json")).ShouldExit(0).Json;
        ((string?)json["run"]).Should().Be($"local:{_strong.Id}");
    }

    [Fact]
    public async Task Gate_usage_errors_and_unknown_runs()
    {
        (await _workspace.Cli().RunAsync("gate", "--run", _strong.Id, "--metric", "accuracy")).ShouldFailWithOneLine(2, "give --min, --max or both");
        (await _workspace.Cli().RunAsync("gate", "--metric", "accuracy", "--min", "1")).ShouldFailWithOneLine(2, "exactly one of --run and --experiment");
        (await _workspace.Cli().RunAsync("gate", "--run", "nope", "--metric", "accuracy", "--min", "1")).ShouldFailWithOneLine(4, "nope");
    }
}
