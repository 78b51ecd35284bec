using System.Diagnostics;

namespace MlopsGateway.Testing;

/// <summary>Runs a sample program as a reader would: its own build output, a fresh process, configured by environment variables only.</summary>
public static class SampleProgram
{
    /// <summary>How the program ended.</summary>
    /// <param name="ExitCode">The process exit code.</param>
    /// <param name="Output">Everything written to standard output.</param>
    /// <param name="Errors">Everything written to standard error.</param>
    public sealed record Result(int ExitCode, string Output, string Errors);

    /// <summary>
    /// Runs <c>samples/{sample}</c> from its build output (the calling test project references the sample, so it
    /// is built in the same configuration), with <paramref name="environment"/> added (a null value removes the variable).
    /// </summary>
    /// <param name="sample">The sample's folder and assembly name, for example <c>MLflow</c>.</param>
    /// <param name="environment">Variables to set or remove.</param>
    /// <param name="timeout">How long it may run; 60 s by default.</param>
    public static async Task<Result> RunAsync(string sample, IReadOnlyDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var directory = Path.Combine(SharedPaths.RepoRoot, "samples", sample, "bin", configuration, "net10.0");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(directory, sample + ".dll"));
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        return new Result(process.ExitCode, await output.ConfigureAwait(false), await errors.ConfigureAwait(false));
    }
}
