using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MlopsGateway.Cli;

/// <summary>
/// One command's gateway: configuration bound and validated exactly as an application would
/// (<c>AddMlopsGateway(config.GetSection("Mlops")).AddLocal().AddMLflow()…</c>), the backend the command
/// uses (<c>--backend</c> or the configured default) and the terminal it writes to.
/// </summary>
internal sealed class CliSession : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string? _selected;

    private CliSession(ServiceProvider services, IMlopsBackendProvider provider, string? selected, Terminal terminal)
    {
        _services = services;
        Provider = provider;
        _selected = selected;
        Terminal = terminal;
        Backend = selected is null ? provider.Default : provider.Get(selected);
    }

    /// <summary>The configured backends.</summary>
    public IMlopsBackendProvider Provider { get; }

    /// <summary>The backend the command works on: the one <c>--backend</c> names, else the default (a composite when <c>Routing</c> is configured).</summary>
    public IMlopsBackend Backend { get; }

    /// <summary>The name of the selected backend (the default's name without <c>--backend</c>).</summary>
    public string BackendName => _selected ?? Backend.Name;

    /// <summary>Where output goes.</summary>
    public Terminal Terminal { get; }

    /// <summary>Binds, validates and opens the gateway for one command.</summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="globals">The global options given.</param>
    /// <param name="terminal">The terminal of the command.</param>
    public static CliSession Open(CliEnvironment environment, GlobalSettings globals, Terminal terminal)
    {
        var configuration = CliConfiguration.Build(environment, globals.ConfigFile);
        var services = new ServiceCollection();
        services.AddMlopsGateway(configuration.GetSection(CliConfiguration.Section))
            .AddLocal(environment.ConfigureLocal)
            .AddMLflow()
            .AddAirflow()
            .AddKubeflow()
            .AddMetaflow();
        var provider = services.BuildServiceProvider();
        try
        {
            var backends = provider.GetRequiredService<IMlopsBackendProvider>(); // validates the section, naming the bad key
            var selected = globals.Backend is null ? null : CheckName(backends, globals.Backend, "--backend");
            return new CliSession(provider, backends, selected, terminal);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>The backend called <paramref name="name"/>; an unknown name is a usage error listing the configured ones.</summary>
    /// <param name="name">A configured backend name.</param>
    /// <param name="option">The option the name came from, for the message.</param>
    public IMlopsBackend Get(string name, string option) => Provider.Get(CheckName(Provider, name, option));

    /// <summary>The backend that owns <paramref name="run"/>: the one its reference names, else the selected backend.</summary>
    /// <param name="run">The run reference.</param>
    public IMlopsBackend For(RunRef run) => run.Backend is null ? Backend : Get(run.Backend, "the run reference");

    private static string CheckName(IMlopsBackendProvider provider, string name, string option)
        => provider.Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
           ?? throw new CliUsageException($"{option}: no backend named '{name}' is configured (configured: {string.Join(", ", provider.Names)}).");

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
