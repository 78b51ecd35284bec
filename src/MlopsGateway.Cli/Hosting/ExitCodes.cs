namespace MlopsGateway.Cli;

/// <summary>The documented exit codes (docs/cli.md); scripts and CI branch on them.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A gate or promotion condition was false, a waited run did not succeed (or timed out), or an unexpected error.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage: options, configuration, a malformed condition, or a request the backend rejects or cannot do.</summary>
    public const int Usage = 2;

    /// <summary>The backend could not be reached or kept failing (5xx, timeouts, throttling) after retries.</summary>
    public const int Unavailable = 3;

    /// <summary>The run, experiment, pipeline, model or version does not exist.</summary>
    public const int NotFound = 4;

    /// <summary>The backend refused the credentials (401) or the permission (403).</summary>
    public const int Denied = 5;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
