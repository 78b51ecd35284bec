using Microsoft.Extensions.Options;

namespace MlopsGateway.Cli;

/// <summary>The one place that turns a failure into an exit code and one line on stderr (a stack trace only with <c>--verbose</c>).</summary>
internal static class ErrorReporter
{
    /// <summary>The exit code and the kind name (used in <c>--json</c> error objects) of a failure.</summary>
    /// <param name="error">The failure.</param>
    public static (int ExitCode, string Kind) Classify(Exception error) => error switch
    {
        CliUsageException => (ExitCodes.Usage, "usage"),
        CliFailureException => (ExitCodes.Failed, "failed"),
        OptionsValidationException => (ExitCodes.Usage, "configuration"),
        // A route the server does not have means a wrong BaseUrl or server version: the backend is not usable there.
        MlopsEndpointNotFoundException => (ExitCodes.Unavailable, "endpointNotFound"),
        MlopsNotFoundException => (ExitCodes.NotFound, "notFound"),
        MlopsAuthenticationException => (ExitCodes.Denied, "authentication"),
        MlopsAuthorizationException => (ExitCodes.Denied, "authorization"),
        MlopsUnavailableException => (ExitCodes.Unavailable, "unavailable"),
        MlopsRateLimitedException => (ExitCodes.Unavailable, "rateLimited"),
        MlopsValidationException => (ExitCodes.Usage, "validation"),
        MlopsConflictException => (ExitCodes.Usage, "conflict"),
        MlopsNotSupportedException => (ExitCodes.Usage, "notSupported"),
        TimeoutException => (ExitCodes.Failed, "timeout"),
        OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
        _ => (ExitCodes.Failed, "unexpected"),
    };

    /// <summary>The single line describing <paramref name="error"/>, without secrets (the gateway's messages never hold any).</summary>
    /// <param name="error">The failure.</param>
    public static string Describe(Exception error) => error switch
    {
        OptionsValidationException invalid => "invalid configuration: " + string.Join("; ", invalid.Failures),
        OperationCanceledException => "interrupted",
        CliUsageException or CliFailureException or MlopsException or TimeoutException => OneLine(error.Message),
        _ => $"unexpected {error.GetType().Name}: {OneLine(error.Message)}",
    };

    /// <summary>Writes the failure to stderr (and, with <c>--json</c>, an error object to stdout) and returns its exit code.</summary>
    /// <param name="error">The failure.</param>
    /// <param name="environment">Where to write.</param>
    /// <param name="json">Whether <c>--json</c> was given.</param>
    /// <param name="verbose">Whether <c>--verbose</c> was given: add the full exception.</param>
    public static int Report(Exception error, CliEnvironment environment, bool json, bool verbose)
    {
        var (exitCode, kind) = Classify(error);
        var message = Describe(error);
        environment.Error.WriteLine($"mlops: {message}");
        if (verbose)
        {
            environment.Error.WriteLine(error.ToString());
        }
        if (json)
        {
            JsonOutput.Write(environment.Out, new ErrorEnvelope(new ErrorJson(exitCode, kind, message)), CliJsonContext.Default.ErrorEnvelope);
        }
        return exitCode;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
