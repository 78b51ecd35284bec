using System.CommandLine;
using Spectre.Console;

namespace MlopsGateway.Cli;

/// <summary><c>mlops backends</c>: every configured backend with its kind, health, server version and capabilities.</summary>
internal static class BackendsCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("backends", "List the configured backends: kind, health, server version and a capability table. Exit code 3 when one is unhealthy.");
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var names = parse.GetValue(context.Globals.Backend) is null ? session.Provider.Names : [session.BackendName];
            var backends = names.Select(session.Provider.Get).ToList();
            var checks = backends.Select(b => b.CheckHealthAsync(cancellationToken)).ToList();
            if (session.Terminal.Interactive)
            {
                await session.Terminal.Console.Status().StartAsync("Checking backends…", _ => Task.WhenAll(checks));
            }
            var health = await Task.WhenAll(checks);
            var defaultName = DefaultName(session);
            var rows = backends.Select((b, i) => new BackendJson(
                b.Name, b.Kind, string.Equals(b.Name, defaultName, StringComparison.OrdinalIgnoreCase), health[i].IsHealthy, health[i].Description,
                health[i].ServerVersion, Capabilities(b.Capabilities), Limits(b.Capabilities.Limits))).ToList();
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new BackendsEnvelope(defaultName, rows), CliJsonContext.Default.BackendsEnvelope);
            }
            else
            {
                Render(session.Terminal, rows, backends);
            }
            return rows.All(r => r.Healthy) ? ExitCodes.Ok : ExitCodes.Unavailable;
        });
        return command;
    }

    // A composite default (Routing configured) has its own name, which matches no row.
    private static string DefaultName(CliSession session) => session.Provider.Default.Name;

    private static SortedDictionary<string, string> Capabilities(BackendCapabilities capabilities)
        => new(Enum.GetValues<MlopsCapability>().ToDictionary(c => c.ToString(), c => capabilities[c].ToString().ToLowerInvariant()), StringComparer.Ordinal);

    private static LimitsJson Limits(BackendLimits limits)
        => new(limits.MaxMetricsPerBatch, limits.MaxParamsPerBatch, limits.MaxTagsPerBatch, limits.MaxPageSize);

    private static void Render(Terminal terminal, List<BackendJson> rows, List<IMlopsBackend> backends)
    {
        var table = Views.Table("BACKEND", "KIND", "DEFAULT", "HEALTH", "VERSION", "DETAIL");
        foreach (var row in rows)
        {
            table.AddRow(Views.Plain(row.Name), Views.Plain(row.Kind), Views.Plain(row.IsDefault ? "yes" : ""),
                row.Healthy ? new Markup("[green]healthy[/]") : new Markup("[red]unhealthy[/]"),
                Views.Plain(row.ServerVersion), Views.Plain(row.Description));
        }
        terminal.Render(table);

        var matrix = Views.Table(["CAPABILITY", .. rows.Select(r => r.Name)]);
        foreach (var capability in Enum.GetValues<MlopsCapability>())
        {
            matrix.AddRow([Views.Plain(capability.ToString()), .. backends.Select(b => Support(b.Capabilities[capability]))]);
        }
        terminal.Render(matrix);
        terminal.Line("✓ native · ≈ emulated by the gateway · — not supported");
    }

    private static Markup Support(CapabilitySupport support) => support switch
    {
        CapabilitySupport.Native => new Markup("[green]✓[/]"),
        CapabilitySupport.Emulated => new Markup("[yellow]≈[/]"),
        _ => new Markup("[grey]—[/]"),
    };
}
