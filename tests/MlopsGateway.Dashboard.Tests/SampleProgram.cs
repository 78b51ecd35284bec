using System.Diagnostics;
using System.Reflection;

namespace MlopsGateway.Dashboard.Tests;

/// <summary>Runs a sample's built program as its own process, the way a user runs it, with the environment a test gives it.</summary>
internal static class SampleProgram
{
    private static readonly string s_configuration = typeof(SampleProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SamplesConfiguration").Value!;

    /// <summary>The folder the project reference built the sample into (its program, dependencies and appsettings.json).</summary>
    public static string Directory(string sample) => Path.Combine(SharedPaths.RepoRoot, "samples", sample, "bin", s_configuration, "net10.0");

    /// <summary>Runs the sample to its end; returns what it printed, or fails with it when the exit code is not 0.</summary>
    /// <param name="sample">The sample folder and program name (<c>Quickstart</c>, <c>MLflow</c>).</param>
    /// <param name="workingDirectory">Where it runs (the Quickstart keeps its database there).</param>
    /// <param name="environment">Variables to set; inherited <c>OTEL_*</c> variables are removed first.</param>
    /// <param name="timeout">How long it may run before it is stopped by its process id.</param>
    public static async Task<string> RunAsync(string sample, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Directory(sample), sample + ".dll"));
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            using var deadline = new CancellationTokenSource(timeout);
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Sample {sample} did not finish within {timeout}:\n{await output}\n{await errors}");
        }
        var printed = await output + await errors;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Sample {sample} exited with {process.ExitCode}:\n{printed}");
        }
        return printed;
    }
}
