using Spectre.Console;
using Spectre.Console.Testing;

namespace MlopsGateway.Cli.Tests;

/// <summary>Fake terminals for the rendering tests.</summary>
internal static class Terminals
{
    /// <summary>An interactive, ANSI, colour terminal: live views and progress bars render on it.</summary>
    public static TestConsole Interactive()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences().Colors(ColorSystem.TrueColor).Width(160);
        console.Profile.Capabilities.Ansi = true;
        return console;
    }

    public const string Escape = "\u001b[";
}
