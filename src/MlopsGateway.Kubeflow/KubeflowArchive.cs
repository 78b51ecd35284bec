namespace MlopsGateway.Kubeflow;

/// <summary>
/// KFP's storage-state operations that the neutral model folds away: archive and unarchive of experiments and
/// runs, and the permanent experiment delete (the neutral <see cref="IRunClient.DeleteExperimentAsync"/> archives).
/// Get it with <c>backend.GetService&lt;KubeflowArchive&gt;()</c>.
/// </summary>
public sealed class KubeflowArchive
{
    private readonly KubeflowBackend _backend;

    internal KubeflowArchive(KubeflowBackend backend) => _backend = backend;

    /// <summary>Archives an experiment: its runs are archived and its recurring runs disabled.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task ArchiveExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Archive.ArchiveExperiment", () => ArchiveExperimentCoreAsync(experimentId, cancellationToken));

    private async Task ArchiveExperimentCoreAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(experimentId);
        await _backend.ExperimentsApi.ArchiveAsync(experimentId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Unarchives an experiment (its runs stay archived until unarchived one by one).</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task UnarchiveExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Archive.UnarchiveExperiment", () => UnarchiveExperimentCoreAsync(experimentId, cancellationToken));

    private async Task UnarchiveExperimentCoreAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(experimentId);
        await _backend.ExperimentsApi.UnarchiveAsync(experimentId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes an experiment permanently (<c>DELETE /experiments/{id}</c>); cannot be undone.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteExperimentPermanentlyAsync(string experimentId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Archive.DeleteExperimentPermanently", () => DeleteExperimentPermanentlyCoreAsync(experimentId, cancellationToken));

    private async Task DeleteExperimentPermanentlyCoreAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(experimentId);
        await _backend.ExperimentsApi.DeleteAsync(experimentId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Archives a run (changes its <c>storage_state</c> only; it keeps running if it was).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task ArchiveRunAsync(RunRef run, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Archive.ArchiveRun", () => ArchiveRunCoreAsync(run, cancellationToken), new OperationSubject(RunId: run?.Id));

    private async Task ArchiveRunCoreAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        await _backend.RunsApi.ArchiveAsync(run.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Unarchives a run.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task UnarchiveRunAsync(RunRef run, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Archive.UnarchiveRun", () => UnarchiveRunCoreAsync(run, cancellationToken), new OperationSubject(RunId: run?.Id));

    private async Task UnarchiveRunCoreAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        await _backend.RunsApi.UnarchiveAsync(run.Id, cancellationToken).ConfigureAwait(false);
    }
}
