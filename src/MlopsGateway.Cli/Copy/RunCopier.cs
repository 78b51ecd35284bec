namespace MlopsGateway.Cli;

/// <summary>
/// Copies runs from one backend to another through the neutral API: the run (name, start time), params,
/// tags, full metric histories in batches of the target's limits, and artifacts streamed file by file.
/// Orchestration runs (Airflow, Kubeflow, Metaflow) become tracked runs whose task states are tags.
/// Idempotent: the target run carries <see cref="SourceTag"/> = the source run's reference, and
/// <see cref="CompleteTag"/> once everything arrived; a complete copy is skipped, an incomplete one redone.
/// </summary>
internal sealed class RunCopier(IMlopsBackend source, IMlopsBackend target)
{
    /// <summary>The target-run tag recording which source run it copies (<c>backend:id</c>).</summary>
    public const string SourceTag = "mlops.copy.source";

    /// <summary>The target-run tag set last, once the copy is whole.</summary>
    public const string CompleteTag = "mlops.copy.complete";

    /// <summary>Prefix of the task-state tags of a copied orchestration run (<c>mlops.task.train = Succeeded</c>).</summary>
    public const string TaskTagPrefix = "mlops.task.";

    private const string CopyTagPrefix = "mlops.copy.";

    /// <summary>The source runs to copy: of experiment <paramref name="experiment"/>, or — on a backend without experiments — of the pipeline with that id.</summary>
    /// <param name="experiment">The experiment name (or pipeline id).</param>
    /// <param name="since">Only runs started at or after this.</param>
    /// <param name="cancellationToken">Cancels listing.</param>
    public async Task<List<Run>> ListSourceRunsAsync(string experiment, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var query = new RunQuery { StartedAfter = since, PageSize = source.Capabilities.Limits.MaxPageSize };
        query = source.Capabilities.Supports(MlopsCapability.Experiments)
            ? query with { ExperimentIds = [(await ExperimentsCommands.FindAsync(source.Runs, experiment, cancellationToken)).Id] }
            : query with { PipelineId = experiment };
        var runs = await source.Runs.ListAsync(query, cancellationToken).ToListAsync(cancellationToken);
        runs.Sort((a, b) => Nullable.Compare(a.StartTime, b.StartTime)); // oldest first: the target's history reads in order
        return runs;
    }

    /// <summary>Gets or creates the target experiment, and the copies already in it by source reference.</summary>
    /// <param name="experiment">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    public async Task<(Experiment Experiment, Dictionary<string, Run> Copies)> PrepareTargetAsync(string experiment, CancellationToken cancellationToken)
    {
        Experiment found;
        try
        {
            found = await target.Runs.GetExperimentByNameAsync(experiment, cancellationToken);
        }
        catch (MlopsNotFoundException)
        {
            try
            {
                found = await target.Runs.CreateExperimentAsync(experiment, null, cancellationToken);
            }
            catch (MlopsConflictException)
            {
                found = await target.Runs.GetExperimentByNameAsync(experiment, cancellationToken); // created concurrently
            }
        }
        var copies = new Dictionary<string, Run>(StringComparer.Ordinal);
        await foreach (var run in target.Runs.ListAsync(new RunQuery { ExperimentIds = [found.Id], PageSize = target.Capabilities.Limits.MaxPageSize }, cancellationToken))
        {
            if (run.Tags.TryGetValue(SourceTag, out var origin) && (!copies.TryGetValue(origin, out var seen) || !IsComplete(seen)))
            {
                copies[origin] = run;
            }
        }
        return (found, copies);
    }

    /// <summary>Whether a target run is a whole copy.</summary>
    /// <param name="copy">The target run.</param>
    public static bool IsComplete(Run copy) => copy.Tags.TryGetValue(CompleteTag, out var done) && done == "true";

    /// <summary>Copies one run into <paramref name="experiment"/>, replacing an incomplete earlier copy when the target can delete runs.</summary>
    /// <param name="run">The source run (terminal).</param>
    /// <param name="experiment">The target experiment.</param>
    /// <param name="incomplete">An earlier, unfinished copy of the run, if any.</param>
    /// <param name="progress">Receives a short description of the current step and the bytes transferred.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    public async Task<CopiedRunJson> CopyAsync(Run run, Experiment experiment, Run? incomplete, IProgress<CopyStep> progress, CancellationToken cancellationToken)
    {
        var origin = RunReferences.Format(run);
        if (incomplete is not null && target.Capabilities.Supports(MlopsCapability.RunDelete))
        {
            await target.Runs.DeleteAsync(incomplete, cancellationToken);
        }
        var copy = await target.Runs.CreateRunAsync(experiment.Id, new RunCreateOptions
        {
            Name = run.Name,
            StartTime = run.StartTime,
            Tags = new Dictionary<string, string> { [SourceTag] = origin },
        }, cancellationToken);

        var limits = target.Capabilities.Limits;
        var parameters = source.Capabilities.Supports(MlopsCapability.ParamValues) && target.Capabilities.Supports(MlopsCapability.Params)
            ? run.Params.ToList()
            : [];
        foreach (var chunk in parameters.Chunk(Math.Min(limits.MaxParamsPerBatch, limits.MaxEntitiesPerBatch)))
        {
            await target.Runs.LogBatchAsync(copy, new RunLogBatch { Params = chunk }, cancellationToken);
        }

        progress.Report(new CopyStep($"{origin}: tags", 0));
        var tags = await TagsAsync(run, cancellationToken);
        foreach (var chunk in tags.Chunk(Math.Min(limits.MaxTagsPerBatch, limits.MaxEntitiesPerBatch)))
        {
            await target.Runs.LogBatchAsync(copy, new RunLogBatch { Tags = chunk }, cancellationToken);
        }

        var points = await CopyMetricsAsync(run, copy, origin, progress, cancellationToken);
        var (files, bytes) = await CopyArtifactsAsync(run, copy, origin, progress, cancellationToken);

        await target.Runs.EndAsync(copy, EndStatus(run.Status), cancellationToken);
        await target.Runs.SetTagAsync(copy, CompleteTag, "true", cancellationToken); // last: a crash before this makes the copy incomplete
        return new CopiedRunJson(origin, RunReferences.Format(copy), "copied", null, parameters.Count, points, tags.Count + 1, files, bytes);
    }

    private async Task<List<KeyValuePair<string, string>>> TagsAsync(Run run, CancellationToken cancellationToken)
    {
        // The source's own copy bookkeeping (a copy of a copy) would clash with this copy's.
        var tags = run.Tags.Where(t => !t.Key.StartsWith(CopyTagPrefix, StringComparison.Ordinal)).ToList();
        tags.Add(new("mlops.copy.source_status", run.RawStatus ?? run.Status.ToString()));
        if (run.EndTime is { } end)
        {
            tags.Add(new("mlops.copy.source_end_time", end.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (run.PipelineId is { } pipeline)
        {
            tags.Add(new("mlops.copy.pipeline", pipeline));
            if (source.Capabilities.Supports(MlopsCapability.TaskRuns))
            {
                await foreach (var task in source.Pipelines.ListTaskRunsAsync(run, cancellationToken))
                {
                    tags.Add(new(TaskTagPrefix + task.Name, task.Status.ToString()));
                }
            }
        }
        return tags;
    }

    private async Task<long> CopyMetricsAsync(Run run, Run copy, string origin, IProgress<CopyStep> progress, CancellationToken cancellationToken)
    {
        if (run.Metrics.Count == 0 || !source.Capabilities.Supports(MlopsCapability.Metrics) || !target.Capabilities.Supports(MlopsCapability.Metrics))
        {
            return 0;
        }
        // One request per batch at the target's limits; never more than a batch in memory.
        var limits = target.Capabilities.Limits;
        var size = Math.Max(1, Math.Min(limits.MaxMetricsPerBatch, limits.MaxEntitiesPerBatch));
        var batch = new List<MetricPoint>(size);
        long sent = 0;
        async Task FlushAsync()
        {
            await target.Runs.LogBatchAsync(copy, new RunLogBatch { Metrics = [.. batch] }, cancellationToken);
            sent += batch.Count;
            batch.Clear();
            progress.Report(new CopyStep($"{origin}: {sent} metric points", 0));
        }
        foreach (var key in run.Metrics.Keys.Order(StringComparer.Ordinal))
        {
            await foreach (var point in source.Runs.GetMetricHistoryAsync(run, key, cancellationToken))
            {
                batch.Add(point);
                if (batch.Count == size)
                {
                    await FlushAsync();
                }
            }
        }
        if (batch.Count > 0)
        {
            await FlushAsync();
        }
        return sent;
    }

    private async Task<(int Files, long Bytes)> CopyArtifactsAsync(Run run, Run copy, string origin, IProgress<CopyStep> progress, CancellationToken cancellationToken)
    {
        if (!source.Capabilities.Supports(MlopsCapability.Artifacts) || !target.Capabilities.Supports(MlopsCapability.Artifacts))
        {
            return (0, 0);
        }
        var files = 0;
        long bytes = 0;
        await foreach (var file in ArtifactTree.ListFilesAsync(source.Runs, run, cancellationToken))
        {
            progress.Report(new CopyStep($"{origin}: {file.Path}", 0));
            var download = await source.Runs.DownloadArtifactAsync(run, file.Path, cancellationToken);
            await using var counted = new CountingStream(download, read => progress.Report(new CopyStep(null, read)));
            await target.Runs.UploadArtifactAsync(copy, file.Path, counted, cancellationToken);
            files++;
            bytes += counted.BytesRead;
        }
        return (files, bytes);
    }

    /// <summary>The terminal status a tracked copy ends with; a skipped orchestration run ends Canceled (tracked runs cannot end Skipped).</summary>
    private static RunStatus EndStatus(RunStatus status) => status switch
    {
        RunStatus.Succeeded => RunStatus.Succeeded,
        RunStatus.Failed => RunStatus.Failed,
        _ => RunStatus.Canceled,
    };
}

/// <summary>Progress of a copy: what is being copied (null: unchanged) and bytes just transferred.</summary>
/// <param name="Description">The current step, when it changed.</param>
/// <param name="Bytes">Artifact bytes transferred since the last report.</param>
internal sealed record CopyStep(string? Description, long Bytes);
