using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlopsGateway.Cli;

/// <summary>
/// Where a command writes: tables and live views on <see cref="Console"/>, or one JSON document on stdout.
/// Colour, live views, progress bars and charts appear only when <see cref="Interactive"/>: a terminal is
/// attached, <c>NO_COLOR</c> is unset and <c>--json</c> was not given.
/// </summary>
internal sealed class Terminal
{
    private readonly TextWriter _out;

    private Terminal(IAnsiConsole console, TextWriter output, bool json, bool interactive)
    {
        Console = console;
        _out = output;
        Json = json;
        Interactive = interactive;
    }

    /// <summary>The console tables and views render on.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Whether <c>--json</c> was given: write only the JSON document to stdout.</summary>
    public bool Json { get; }

    /// <summary>Whether colour and animation (live views, progress bars, charts) are allowed.</summary>
    public bool Interactive { get; }

    /// <summary>Whether human-readable output is wanted (not <c>--json</c>).</summary>
    public bool Human => !Json;

    /// <summary>Chooses the console for an environment and the global options.</summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="json">Whether <c>--json</c> was given.</param>
    public static Terminal Create(CliEnvironment environment, bool json)
    {
        if (environment.Console is { } given)
        {
            var interactive = !json && !environment.NoColor && given.Profile.Capabilities.Interactive;
            return new Terminal(given, environment.Out, json, interactive);
        }
        var attached = environment.OutputIsTerminal && !environment.NoColor && !json;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = attached ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = attached ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = attached ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(environment.Out),
        });
        if (!environment.OutputIsTerminal)
        {
            // A pipe or file has no width: keep tables on one line each rather than wrapping at 80 columns.
            console.Profile.Width = environment.Variables.TryGetValue("COLUMNS", out var columns) && int.TryParse(columns, out var width) && width > 0 ? width : 160;
        }
        return new Terminal(console, environment.Out, json, attached && console.Profile.Capabilities.Interactive);
    }

    /// <summary>Writes a line as is: no markup, no wrapping.</summary>
    /// <param name="text">The line.</param>
    public void Line(string text = "") => Console.Profile.Out.Writer.WriteLine(text);

    /// <summary>Renders a table, tree or other renderable.</summary>
    /// <param name="renderable">What to render.</param>
    public void Render(IRenderable renderable) => Console.Write(renderable);

    /// <summary>Writes the command's JSON document to stdout.</summary>
    /// <param name="value">The document.</param>
    /// <param name="type">Its source-generated type info.</param>
    public void WriteJson<T>(T value, JsonTypeInfo<T> type) => JsonOutput.Write(_out, value, type);

    /// <summary>Writes one compact JSON object on its own line (streamed output such as log lines).</summary>
    /// <param name="value">The object.</param>
    /// <param name="type">Its source-generated type info.</param>
    public void WriteJsonLine<T>(T value, JsonTypeInfo<T> type) => JsonOutput.WriteLine(_out, value, type);
}
