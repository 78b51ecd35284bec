using System.Text.Json.Nodes;
using MlopsGateway.Local;
using Spectre.Console;

namespace MlopsGateway.Cli.Tests;

/// <summary>Runs <c>mlops</c> in-process with an args array, captured stdout/stderr and its own working directory and variables.</summary>
internal sealed class CliHarness
{
    public required string WorkingDirectory { get; init; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>A (fake) terminal to render on; null means output is redirected (captured as plain text).</summary>
    public IAnsiConsole? Console { get; set; }

    public Action<LocalBackendOptions>? ConfigureLocal { get; set; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await MlopsCli.RunAsync(args, new CliEnvironment
        {
            Out = output,
            Error = error,
            Console = Console,
            WorkingDirectory = WorkingDirectory,
            Variables = Variables,
            ConfigureLocal = ConfigureLocal,
        });
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

/// <summary>What one invocation produced.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("stdout is JSON null");

    public CliResult ShouldExit(int code)
    {
        ExitCode.Should().Be(code, $"stdout:\n{Stdout}\nstderr:\n{Stderr}");
        return this;
    }

    /// <summary>A failure is exactly one line on stderr and never a stack trace.</summary>
    public CliResult ShouldFailWithOneLine(int code, string containing)
    {
        ShouldExit(code);
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle().Which.Should().StartWith("mlops: ").And.Contain(containing);
        Stderr.Should().NotContain(" at ");
        return this;
    }
}
