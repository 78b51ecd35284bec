namespace MlopsGateway.Cli.Tests;

/// <summary>Parsing, help, configuration sources and the one-line error contract.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Help_lists_every_command_and_exits_0()
    {
        using var workspace = new Workspace("local");
        var result = (await workspace.Cli().RunAsync("--help")).ShouldExit(0);
        result.Stdout.Should().Contain("Usage:").And.Contain("mlops");
        foreach (var command in new[] { "backends", "experiments", "runs", "pipelines", "models", "gate", "copy" })
        {
            result.Stdout.Should().Contain(command);
        }
        (await workspace.Cli().RunAsync("runs", "--help")).ShouldExit(0).Stdout
            .Should().Contain("list").And.Contain("show").And.Contain("compare").And.Contain("metric").And.Contain("wait").And.Contain("logs").And.Contain("cancel").And.Contain("retry");
    }

    [Fact]
    public async Task Unknown_options_and_missing_arguments_are_usage_errors_with_exit_code_2()
    {
        using var workspace = new Workspace("local");
        var unknown = await workspace.Cli().RunAsync("runs", "list", "--bogus");
        unknown.ShouldExit(2);
        unknown.Stderr.Should().Contain("mlops: Unrecognized command or argument '--bogus'").And.Contain("Run 'mlops runs list --help' for usage.");
        unknown.Stdout.Should().BeEmpty();

        (await workspace.Cli().RunAsync("gate", "--run", "x")).ShouldExit(2).Stderr.Should().Contain("--metric");
        (await workspace.Cli().RunAsync("runs", "wait", "x", "--timeout", "soon")).ShouldExit(2).Stderr.Should().Contain("'soon' is not a positive duration");
        (await workspace.Cli().RunAsync("runs", "list", "--status", "finished")).ShouldExit(2).Stderr.Should().Contain("'finished' is not a run status");
    }

    [Fact]
    public async Task A_missing_config_file_is_exit_code_2()
    {
        using var workspace = new Workspace("local");
        (await workspace.Cli().RunAsync("backends", "--config", "nope.json")).ShouldFailWithOneLine(2, "configuration file 'nope.json' does not exist");
    }

    [Fact]
    public async Task Malformed_configuration_json_is_exit_code_2()
    {
        using var workspace = new Workspace();
        File.WriteAllText(workspace.File("broken.json"), "{ \"Mlops\": ");
        (await workspace.Cli().RunAsync("backends", "--config", "broken.json")).ShouldFailWithOneLine(2, "cannot read the configuration");
    }

    [Fact]
    public async Task Invalid_configuration_names_the_key_and_is_exit_code_2()
    {
        using var workspace = new Workspace();
        workspace.Add("tracking", new() { ["Type"] = "Kerberos" });
        (await workspace.Cli().RunAsync("runs", "list")).ShouldFailWithOneLine(2, "Mlops:Backends:tracking:Type");
    }

    [Fact]
    public async Task An_unknown_backend_name_is_exit_code_2_listing_the_configured_ones()
    {
        using var workspace = new Workspace("local", "archive");
        (await workspace.Cli().RunAsync("runs", "list", "--backend", "nope")).ShouldFailWithOneLine(2, "--backend: no backend named 'nope' is configured (configured: archive, local)");
    }

    [Fact]
    public async Task The_config_option_replaces_the_working_directory_files_and_MLOPS_variables_override_them()
    {
        using var workspace = new Workspace("local");
        File.WriteAllText(workspace.File("other.json"),
            $$"""{ "Mlops": { "Backends": { "other": { "Type": "Local", "Path": "{{workspace.DatabaseOf("other").Replace("\\", "\\\\")}}" } } } }""");
        var fromFile = (await workspace.Cli().RunAsync("backends", "--json", "--config", "other.json")).ShouldExit(0).Json;
        fromFile["backends"]!.AsArray().Select(b => (string?)b!["name"]).Should().Equal("other");

        var cli = workspace.Cli();
        cli.Variables["MLOPS__BACKENDS__fromenv__TYPE"] = "Local";
        cli.Variables["MLOPS__BACKENDS__fromenv__PATH"] = workspace.DatabaseOf("fromenv");
        cli.Variables["MLOPS__DEFAULTBACKEND"] = "fromenv";
        var merged = (await cli.RunAsync("backends", "--json")).ShouldExit(0).Json;
        merged["backends"]!.AsArray().Select(b => (string?)b!["name"]).Should().BeEquivalentTo("local", "fromenv");
        ((string?)merged["default"]).Should().Be("fromenv");
    }

    [Fact]
    public async Task Errors_in_json_mode_also_write_an_error_object_to_stdout()
    {
        using var workspace = new Workspace("local");
        var result = (await workspace.Cli().RunAsync("runs", "show", "no-such-run", "--json")).ShouldFailWithOneLine(4, "no-such-run");
        var error = result.Json["error"]!;
        ((int)error["exitCode"]!).Should().Be(4);
        ((string?)error["kind"]).Should().Be("notFound");
        ((string?)error["message"]).Should().Contain("no-such-run");
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace_after_the_one_line_message()
    {
        using var workspace = new Workspace("local");
        var result = (await workspace.Cli().RunAsync("runs", "show", "no-such-run", "--verbose")).ShouldExit(4);
        result.Stderr.Should().StartWith("mlops: ").And.Contain("MlopsNotFoundException").And.Contain(" at ");
    }
}
