namespace MlopsGateway;

/// <summary>
/// Experiment tracking and run lifecycle. Run-scoped calls take a <see cref="RunRef"/>: pass the
/// <see cref="Run"/> itself so a composite sends the call to the run's backend of record. Operations
/// a backend lacks throw <see cref="MlopsNotSupportedException"/> before any request is sent.
/// </summary>
public interface IRunClient
{
    /// <summary>Creates an experiment; an existing name (even soft-deleted) throws <see cref="MlopsConflictException"/>.</summary>
    /// <param name="name">The unique experiment name.</param>
    /// <param name="options">Optional artifact location, description and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gets an experiment by id; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Gets an experiment by its unique name; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="name">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists experiments lazily, page by page.</summary>
    /// <param name="query">Optional filters and page size.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes (archives on KFP) an experiment; its name stays reserved until it is restored or purged.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Restores a soft-deleted (unarchives a KFP) experiment.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default);

    /// <summary>Creates a tracked run in an experiment and returns it Running. Most callers want <see cref="StartAsync"/> instead.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="options">Name, tags, start time, caller-chosen id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets or creates the experiment by name, creates a run in it and returns an <see cref="ActiveRun"/>
    /// whose <c>Log*</c> calls buffer and flush in the background. Dispose it: a run disposed after
    /// <see cref="ActiveRun.Complete"/> ends Succeeded, otherwise Failed.
    /// </summary>
    /// <param name="experimentName">The experiment (created when missing; a soft-deleted name is a conflict).</param>
    /// <param name="options">Run and buffer settings.</param>
    /// <param name="cancellationToken">Cancels starting the run.</param>
    Task<ActiveRun> StartAsync(string experimentName, RunStartOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="body"/> inside a started run: the run ends Succeeded when the delegate
    /// returns, Failed (and the exception is rethrown) when it throws. Returns the ended run.
    /// </summary>
    /// <param name="experimentName">The experiment (created when missing).</param>
    /// <param name="options">Run and buffer settings.</param>
    /// <param name="body">The instrumented work.</param>
    /// <param name="cancellationToken">Passed to <paramref name="body"/>; cancels the run (ending it Failed).</param>
    /// <exception cref="AggregateException">The body failed and so did sending its logged data; both are inside.</exception>
    async Task<Run> RunAsync(string experimentName, RunStartOptions? options, Func<ActiveRun, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var run = await StartAsync(experimentName, options, cancellationToken).ConfigureAwait(false);
        try
        {
            await body(run, cancellationToken).ConfigureAwait(false);
            run.Complete();
        }
        catch (Exception bodyError)
        {
            run.RecordFailure(bodyError);
            try
            {
                await run.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception disposeError)
            {
                // Both the work and sending its data failed: neither may hide the other.
                throw new AggregateException(bodyError, disposeError);
            }
            throw;
        }
        await run.DisposeAsync().ConfigureAwait(false);
        return run.FinalRun ?? run.Run;
    }

    /// <summary>Gets a run; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="run">The run (its backend of record is used by a composite).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default);

    /// <summary>Lists runs lazily, page by page, following the backend's paging.</summary>
    /// <param name="query">Filters, ordering and page size.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Logs params, metrics and tags, split into as many requests as the backend's limits need.</summary>
    /// <param name="run">The run.</param>
    /// <param name="batch">What to log.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Sets (adds or overwrites) one tag.</summary>
    /// <param name="run">The run.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value (<c>""</c> for a plain Metaflow tag).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Removes one tag; removing an absent tag throws <see cref="MlopsNotFoundException"/>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default);

    /// <summary>Every logged value of one metric, in step then timestamp order.</summary>
    /// <param name="run">The run.</param>
    /// <param name="metricKey">The metric name.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<MetricPoint> GetMetricHistoryAsync(RunRef run, string metricKey, CancellationToken cancellationToken = default);

    /// <summary>Marks a tracked run terminal with <paramref name="status"/> (Succeeded, Failed or Canceled) and returns it.</summary>
    /// <param name="run">The run.</param>
    /// <param name="status">The terminal status.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default);

    /// <summary>Asks the backend to stop a run (Airflow: set failed; KFP: terminate). Cancelling a terminal run is a no-op.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task CancelAsync(RunRef run, CancellationToken cancellationToken = default);

    /// <summary>Re-runs the failed parts of a run (Airflow clear, KFP retry) and returns the run as it now reads.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Run> RetryAsync(RunRef run, CancellationToken cancellationToken = default);

    /// <summary>Deletes a run. Deleting an already deleted run succeeds (a retried delete that meets 404 is success).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default);

    /// <summary>Uploads one file to the run's artifacts, streamed (never buffered whole, never retried once sent).</summary>
    /// <param name="run">The run.</param>
    /// <param name="path">Run-relative destination path with <c>/</c> separators; <c>..</c> segments are rejected.</param>
    /// <param name="content">The file content, read once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens one of the run's artifact files for reading; dispose the stream. A missing file is <see cref="MlopsNotFoundException"/>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="path">Run-relative file path.</param>
    /// <param name="cancellationToken">Cancels opening the stream.</param>
    Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default);

    /// <summary>Lists the direct children of a directory in the run's artifacts (the root when <paramref name="path"/> is null).</summary>
    /// <param name="run">The run.</param>
    /// <param name="path">Run-relative directory path.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Polls the run with exponential backoff until it is terminal and returns it. Reports every
    /// observed state to <paramref name="progress"/>; throws <see cref="TimeoutException"/> after
    /// <see cref="WaitOptions.Timeout"/>.
    /// </summary>
    /// <param name="run">The run.</param>
    /// <param name="options">Poll intervals and timeout.</param>
    /// <param name="progress">Receives each polled snapshot.</param>
    /// <param name="cancellationToken">Cancels waiting (not the run).</param>
    Task<Run> WaitForCompletionAsync(RunRef run, WaitOptions? options = null, IProgress<Run>? progress = null, CancellationToken cancellationToken = default);
}
