using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace MlopsGateway.Cli;

/// <summary>The <c>mlops</c> tool: parses the command line, runs the command, maps failures to exit codes.</summary>
internal static class MlopsCli
{
    /// <summary>Runs one command line and returns the process exit code.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="environment">Streams, terminal, working directory and environment.</param>
    /// <param name="cancellationToken">Cancels the command (tests; the process wires Ctrl+C itself).</param>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var globals = new GlobalOptions();
        var root = CommandTree.Build(new CommandContext(environment, globals));
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                environment.Error.WriteLine($"mlops: {error.Message}");
            }
            environment.Error.WriteLine($"Run '{CommandPath(parse)} --help' for usage.");
            return ExitCodes.Usage;
        }
        var settings = globals.Read(parse);
        var invocation = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (Exception error)
        {
            return ErrorReporter.Report(error, environment, settings.Json, settings.Verbose);
        }
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult command)
            {
                names.Add(command.Command.Name);
            }
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}

/// <summary>What every command action needs: the environment and the global options.</summary>
/// <param name="Environment">The process environment.</param>
/// <param name="Globals">The global options.</param>
internal sealed record CommandContext(CliEnvironment Environment, GlobalOptions Globals)
{
    /// <summary>Sets <paramref name="command"/>'s action to open a gateway session and run <paramref name="body"/> in it.</summary>
    /// <param name="command">The command.</param>
    /// <param name="body">The command's work; returns the exit code.</param>
    public void Handle(Command command, Func<CliSession, ParseResult, CancellationToken, Task<int>> body)
        => command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = Globals.Read(parse);
            var terminal = Terminal.Create(Environment, settings.Json);
            await using var session = CliSession.Open(Environment, settings, terminal);
            return await body(session, parse, cancellationToken);
        });
}
