using System.Collections;
using Spectre.Console;

namespace MlopsGateway.Cli;

/// <summary>
/// Everything the tool takes from its process — streams, terminal, working directory, environment —
/// so tests run every command in-process with captured output and their own configuration.
/// </summary>
internal sealed record CliEnvironment
{
    /// <summary>Standard output: JSON and plain lines go here.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: the one-line error messages.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>A terminal to render tables, live views and progress on; null renders over <see cref="Out"/>.</summary>
    public IAnsiConsole? Console { get; init; }

    /// <summary>Whether <see cref="Out"/> is a terminal (not redirected to a file or pipe).</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Where <c>appsettings.json</c>, <c>mlops.json</c> and a relative <c>--config</c> are looked up.</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The environment variables (<c>MLOPS__…</c> configuration, <c>NO_COLOR</c>, <c>COLUMNS</c>).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Registers code pipelines and steps on Local backends (an embedding application or a test).</summary>
    public Action<MlopsGateway.Local.LocalBackendOptions>? ConfigureLocal { get; init; }

    /// <summary>Whether <c>NO_COLOR</c> is set to a non-empty value (https://no-color.org).</summary>
    public bool NoColor => Variables.TryGetValue("NO_COLOR", out var value) && value.Length > 0;

    /// <summary>The environment of the running process.</summary>
    public static CliEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                variables[key] = value;
            }
        }
        return new CliEnvironment
        {
            Out = System.Console.Out,
            Error = System.Console.Error,
            OutputIsTerminal = !System.Console.IsOutputRedirected,
            Variables = variables,
        };
    }
}
