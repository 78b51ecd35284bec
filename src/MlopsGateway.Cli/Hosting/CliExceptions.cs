namespace MlopsGateway.Cli;

/// <summary>The command line or configuration is wrong (exit code 2); the message says what to change.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>The command ran but its outcome is a failure (exit code 1), for example a waited run that did not succeed.</summary>
internal sealed class CliFailureException(string message) : Exception(message);
