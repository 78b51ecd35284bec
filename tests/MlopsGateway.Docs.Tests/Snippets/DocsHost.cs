using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>What the snippets take for granted: an application builder whose <c>Mlops</c> section is one in-memory Local backend.</summary>
internal static class DocsHost
{
    public static HostApplicationBuilder LocalBuilder()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(LocalSection);
        return builder;
    }

    public static IConfiguration LocalConfiguration() => new ConfigurationBuilder().AddInMemoryCollection(LocalSection).Build();

    private static Dictionary<string, string?> LocalSection => new()
    {
        ["Mlops:Backends:local:Type"] = "Local",
        ["Mlops:Backends:local:Path"] = ":memory:",
    };

    /// <summary>A bound on every wait in these tests, so a hang fails instead of blocking the run.</summary>
    public static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
}
