namespace MlopsGateway;

/// <summary>
/// The normalized lifecycle state of a run or task run. Each adapter maps its platform's states onto
/// these (DESIGN.md §2); the platform's own spelling is kept in <see cref="Run.RawStatus"/>.
/// </summary>
public enum RunStatus
{
    /// <summary>The platform reported a state the gateway does not know, or none at all.</summary>
    Unknown = 0,
    /// <summary>Accepted but not yet executing (Airflow <c>queued</c>, KFP <c>PENDING</c>, MLflow <c>SCHEDULED</c>).</summary>
    Queued,
    /// <summary>Executing (includes KFP <c>CANCELING</c> and Airflow retry/reschedule states).</summary>
    Running,
    /// <summary>Finished successfully; terminal.</summary>
    Succeeded,
    /// <summary>Finished unsuccessfully; terminal. Airflow reads a cancelled run back as Failed.</summary>
    Failed,
    /// <summary>Stopped on request; terminal. Only where the platform records it natively.</summary>
    Canceled,
    /// <summary>Not executed because the platform decided so; terminal.</summary>
    Skipped,
    /// <summary>Suspended and waiting to be resumed.</summary>
    Paused,
}

/// <summary>Helpers over <see cref="RunStatus"/>.</summary>
public static class RunStatusExtensions
{
    /// <summary>Whether a run in this state will never change state again without a retry.</summary>
    /// <param name="status">The status to test.</param>
    public static bool IsTerminal(this RunStatus status)
        => status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Canceled or RunStatus.Skipped;
}
