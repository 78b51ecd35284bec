using System.CommandLine;

namespace MlopsGateway.Cli;

/// <summary>The options every command takes (declared once on the root, recursive).</summary>
internal sealed class GlobalOptions
{
    /// <summary><c>--config FILE</c>.</summary>
    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = "Configuration file (appsettings shape, an \"Mlops\" section); replaces appsettings.json and mlops.json of the working directory.",
        HelpName = "FILE",
        Recursive = true,
    };

    /// <summary><c>--backend NAME</c>.</summary>
    public Option<string?> Backend { get; } = new("--backend", "-b")
    {
        Description = "The configured backend to use instead of the default.",
        HelpName = "NAME",
        Recursive = true,
    };

    /// <summary><c>--json</c>.</summary>
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write one JSON document (stable shape, see docs/cli.md) to stdout instead of tables; no progress output.",
        Recursive = true,
    };

    /// <summary><c>--verbose</c>.</summary>
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "On failure, print the full exception after the one-line message.",
        Recursive = true,
    };

    /// <summary>Adds the options to the root command.</summary>
    /// <param name="root">The root command.</param>
    public void AddTo(Command root)
    {
        root.Add(Config);
        root.Add(Backend);
        root.Add(Json);
        root.Add(Verbose);
    }

    /// <summary>The values given on one command line.</summary>
    /// <param name="parse">The parse result.</param>
    public GlobalSettings Read(ParseResult parse)
        => new(parse.GetValue(Config), parse.GetValue(Backend), parse.GetValue(Json), parse.GetValue(Verbose));
}

/// <summary>The global option values of one invocation.</summary>
/// <param name="ConfigFile">The <c>--config</c> file, if any.</param>
/// <param name="Backend">The <c>--backend</c> name, if any.</param>
/// <param name="Json">Whether to write JSON.</param>
/// <param name="Verbose">Whether to print full exceptions.</param>
internal sealed record GlobalSettings(string? ConfigFile, string? Backend, bool Json, bool Verbose);
