using MlopsGateway.Local;

namespace MlopsGateway.Cli.Tests;

/// <summary>
/// <c>pipelines list|trigger</c>, <c>runs wait|logs|cancel|retry</c> on Local, whose pipelines are .NET steps
/// registered in the tool's process (as an embedding application would, through <see cref="CliEnvironment.ConfigureLocal"/>).
/// </summary>
public sealed class PipelineCommandTests : IDisposable
{
    private readonly Workspace _workspace = new("local");

    public void Dispose() => _workspace.Dispose();

    private CliHarness Cli()
    {
        var cli = _workspace.Cli();
        cli.ConfigureLocal = local => local
            .AddPipeline("train", p =>
            {
                p.Description = "prepare then fit";
                p.Step("prepare", ctx => ctx.Log.WriteLine($"preparing {ctx.Parameters["dataset"]}"));
                p.Step("fit", ctx => ctx.Log.WriteLine($"fitting {ctx.Parameters["epochs"]} epochs"));
            })
            .AddPipeline("broken", p =>
            {
                p.Step("prepare", ctx => ctx.Log.WriteLine("ok"));
                p.Step("fit", _ => throw new InvalidOperationException("diverged"));
            });
        return cli;
    }

    [Fact]
    public async Task Pipelines_list()
    {
        var json = (await Cli().RunAsync("pipelines", "list", "--json")).ShouldExit(0).Json;
        var train = json["pipelines"]!.AsArray().Single(p => (string?)p!["id"] == "train")!;
        ((string?)train["description"]).Should().Be("prepare then fit");
        ((string?)train["backend"]).Should().Be("local");
        (await Cli().RunAsync("pipelines", "list")).ShouldExit(0).Stdout.Should().Contain("train").And.Contain("broken");
    }

    [Fact]
    public async Task Trigger_and_wait_succeeds_with_typed_parameters_and_reports_task_states()
    {
        var json = (await Cli().RunAsync("pipelines", "trigger", "train", "--param", "dataset=mnist", "--param", "epochs=3", "--wait", "--poll-interval", "50ms", "--json")).ShouldExit(0).Json;
        ((string?)json["outcome"]).Should().Be("succeeded");
        ((string?)json["run"]!["status"]).Should().Be("Succeeded");
        ((string?)json["run"]!["params"]!["epochs"]).Should().Be("3");
        json["tasks"]!.AsArray().Select(t => ((string?)t!["name"], (string?)t["status"])).Should().Equal(("prepare", "Succeeded"), ("fit", "Succeeded"));

        var runId = (string)json["run"]!["id"]!;
        var log = (await Cli().RunAsync("runs", "logs", runId, "fit")).ShouldExit(0).Stdout;
        log.Should().Contain("fitting 3 epochs");
        var lines = (await Cli().RunAsync("runs", "logs", runId, "prepare", "--json")).ShouldExit(0).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        lines.Should().NotBeEmpty();
        lines.Should().OnlyContain(l => (string?)l["task"] == "prepare");
        lines.Select(l => (string?)l["line"]).Should().Contain(l => l!.Contains("preparing mnist"));

        (await Cli().RunAsync("runs", "logs", runId, "nope")).ShouldFailWithOneLine(4, "has no task 'nope' (tasks: prepare, fit)");
    }

    [Fact]
    public async Task A_failed_run_exits_1_and_retry_and_cancel_act_on_it()
    {
        var result = (await Cli().RunAsync("pipelines", "trigger", "broken", "--wait", "--poll-interval", "50ms")).ShouldExit(1);
        result.Stdout.Should().Contain("fit").And.Contain("Failed").And.NotContain(Terminals.Escape);
        result.Stdout.Should().MatchRegex(@"\d\d:\d\d:\d\d run local:\S+ (Queued|Running|Failed)", "redirected output prints one line per change");
        var runId = System.Text.RegularExpressions.Regex.Match(result.Stdout, @"triggered local:(\S+)").Groups[1].Value;

        (await Cli().RunAsync("runs", "wait", runId, "--json")).ShouldExit(1).Json["outcome"]!.GetValue<string>().Should().Be("failed");
        (await Cli().RunAsync("runs", "wait", runId, "--fail-on", "canceled")).ShouldExit(0);

        var cancel = (await Cli().RunAsync("runs", "cancel", runId, "--json")).ShouldExit(0).Json;
        ((string?)cancel["run"]!["status"]).Should().Be("Failed", "cancelling a finished run leaves it as is");

        var retry = (await Cli().RunAsync("runs", "retry", runId)).ShouldExit(0).Stdout;
        retry.Should().Contain($"retry requested for run local:{runId}");
    }

    [Fact]
    public async Task The_live_view_renders_on_a_terminal_and_not_in_json_mode()
    {
        var terminal = Terminals.Interactive();
        var cli = Cli();
        cli.Console = terminal;
        (await cli.RunAsync("pipelines", "trigger", "train", "-p", "dataset=x", "-p", "epochs=1", "--wait", "--poll-interval", "50ms")).ShouldExit(0);
        terminal.Output.Should().Contain(Terminals.Escape).And.Contain("prepare").And.Contain("fit").And.Contain("Succeeded").And.Contain("TASK");

        var quiet = Terminals.Interactive();
        var json = Cli();
        json.Console = quiet;
        var result = (await json.RunAsync("pipelines", "trigger", "train", "-p", "dataset=x", "-p", "epochs=1", "--wait", "--poll-interval", "50ms", "--json")).ShouldExit(0);
        quiet.Output.Should().BeEmpty("--json shows no live view");
        ((string?)result.Json["outcome"]).Should().Be("succeeded");

        var noColor = Terminals.Interactive();
        var plain = Cli();
        plain.Console = noColor;
        plain.Variables["NO_COLOR"] = "1";
        (await plain.RunAsync("pipelines", "trigger", "train", "-p", "dataset=x", "-p", "epochs=1", "--wait", "--poll-interval", "50ms")).ShouldExit(0);
        noColor.Output.Should().Contain("fit").And.NotContain("\u001b[?25l", "NO_COLOR: no live view (it hides the cursor)");
    }

    [Fact]
    public async Task Waiting_past_the_timeout_exits_1_naming_the_last_status()
    {
        var cli = _workspace.Cli();
        var release = new TaskCompletionSource();
        cli.ConfigureLocal = local => local.AddPipeline("slow", p => p.Step("sleep", async (_, ct) => await release.Task.WaitAsync(ct)));
        try
        {
            (await cli.RunAsync("pipelines", "trigger", "slow", "--wait", "--timeout", "300ms", "--poll-interval", "50ms"))
                .ShouldFailWithOneLine(1, "did not finish within 0.3s (last status Running)");
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Triggering_an_unknown_pipeline_is_exit_code_4()
        => (await Cli().RunAsync("pipelines", "trigger", "nope")).ShouldFailWithOneLine(4, "nope");
}
