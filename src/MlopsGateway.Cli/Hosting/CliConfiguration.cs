using Microsoft.Extensions.Configuration;

namespace MlopsGateway.Cli;

/// <summary>
/// Builds the configuration the gateway is bound from, the way an application's host does:
/// <c>appsettings.json</c> then <c>mlops.json</c> from the working directory (or only the
/// <c>--config</c> file), then <c>MLOPS__…</c> environment variables, which win.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>The configuration section the gateway reads, as in the library's documentation.</summary>
    public const string Section = "Mlops";

    private const string EnvironmentPrefix = "MLOPS__";

    /// <summary>Builds the configuration; a missing <c>--config</c> file or malformed JSON is a <see cref="CliUsageException"/>.</summary>
    /// <param name="environment">Working directory and variables.</param>
    /// <param name="configFile">The <c>--config</c> value, if given.</param>
    public static IConfigurationRoot Build(CliEnvironment environment, string? configFile)
    {
        var builder = new ConfigurationBuilder().SetBasePath(environment.WorkingDirectory);
        if (configFile is null)
        {
            builder.AddJsonFile("appsettings.json", optional: true);
            builder.AddJsonFile("mlops.json", optional: true);
        }
        else
        {
            var path = Path.GetFullPath(configFile, environment.WorkingDirectory);
            if (!File.Exists(path))
            {
                throw new CliUsageException($"configuration file '{configFile}' does not exist.");
            }
            builder.AddJsonFile(path, optional: false);
        }
        // MLOPS__BACKENDS__tracking__BASEURL → Mlops:Backends:tracking:BaseUrl (keys are case-insensitive), as the
        // environment-variable provider maps them in a host.
        builder.AddInMemoryCollection(environment.Variables
            .Where(v => v.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => KeyValuePair.Create(v.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), (string?)v.Value)));
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new CliUsageException($"cannot read the configuration: {e.Message}");
        }
    }
}
