using System.Runtime.CompilerServices;
using MlopsGateway.Metaflow.Wire;

namespace MlopsGateway.Metaflow;

/// <summary>
/// Runs of the Metaflow backend. Experiments are flows. <see cref="RunClientBase.StartAsync"/> registers a
/// run done elsewhere (the flow is registered when missing; the caller's run id, or a generated one,
/// becomes the string run id so a retried registration returns the existing run) and keeps it beating
/// until <see cref="EndAsync"/> writes the <c>end</c> step's result.
/// </summary>
internal sealed class MetaflowRunClient(MetaflowBackend backend) : RunClientBase(backend)
{
    /// <summary>The name of the <c>end</c> task the gateway writes a registered run's result into.</summary>
    internal const string EndTaskName = "mlopsgateway-end";

    private MetaflowApi Api => backend.Api;

    protected override string NotSupportedHint =>
        "the Metaflow metadata service records runs, tags, steps and artifact records only: parameter values, metrics and artifact files live pickled in Metaflow's datastore. Route tracking to an MLflow or Local backend.";

    // ---- experiments = flows ------------------------------------------------------------------------

    public override async Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MetaflowValidation.Name(name, "flow name");
        var tags = options?.Tags is { Count: > 0 } t ? MetaflowValidation.PlainTags(t, "ExperimentCreateOptions.Tags") : null;
        var flow = await Api.CreateFlowAsync(name, new CreateObjectRequest { UserName = backend.UserName, Tags = tags }, cancellationToken).ConfigureAwait(false);
        return MetaflowMapper.ToExperiment(flow, backend.Name);
    }

    public override async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MetaflowValidation.Name(experimentId, "flow name");
        return MetaflowMapper.ToExperiment(await Api.GetFlowAsync(experimentId, cancellationToken).ConfigureAwait(false), backend.Name);
    }

    public override Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
        => GetExperimentAsync(name, cancellationToken);

    public override MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default)
    {
        var size = backend.Capabilities.Limits.ClampPageSize(query?.PageSize);
        return new StreamingPageable<Experiment>(
            ct => Select(Api.ListFlowsAsync(size, ct), f => MetaflowMapper.ToExperiment(f, backend.Name), ct), size, cancellationToken);
    }

    // ---- registration --------------------------------------------------------------------------------

    public override async Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MetaflowValidation.Name(experimentId, "flow name");
        var runId = options?.RunId ?? "mlopsgw-" + Guid.NewGuid().ToString("N");
        MetaflowValidation.RunId(runId);
        var tags = options?.Tags is { Count: > 0 } t ? MetaflowValidation.PlainTags(t, "RunCreateOptions.Tags") : [];
        var reference = new MetaflowRunRef(experimentId, runId);
        var body = new CreateObjectRequest
        {
            UserName = backend.UserName,
            RunNumber = runId,
            Tags = tags,
            SystemTags = [$"user:{backend.UserName}", "runtime:mlopsgateway"],
        };
        RunDto run;
        try
        {
            run = await Api.CreateRunAsync(experimentId, body, cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsConflictException)
        {
            // A retried registration (or the caller's id registered before): the run exists, read it.
            return await GetAsync(reference.ToString(), cancellationToken).ConfigureAwait(false);
        }
        // Runs without a metaflow_version system tag start with no heartbeat; beat now, then every 10 s until ended.
        await Api.HeartbeatRunAsync(reference, cancellationToken).ConfigureAwait(false);
        backend.Heartbeats.Start(reference);
        return MetaflowMapper.ToRun(run, backend.Name, new DerivedStatus(RunStatus.Running, "running", null));
    }

    public override async Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
    {
        var reference = MetaflowRunRef.Parse(run.Id);
        if (status is not (RunStatus.Succeeded or RunStatus.Failed or RunStatus.Canceled))
        {
            throw new MlopsValidationException($"A run ends Succeeded, Failed or Canceled, not {status}.");
        }
        backend.Heartbeats.Stop(reference);
        // The derived status reads the end step's attempt_ok, so ending a run writes exactly that (Canceled has no Metaflow form: failed).
        await backend.Metadata.RegisterStepAsync(reference.ToString(), MetaflowStatus.EndStep, cancellationToken).ConfigureAwait(false);
        var task = await backend.Metadata.RegisterTaskAsync(reference.ToString(), MetaflowStatus.EndStep, EndTaskName, cancellationToken).ConfigureAwait(false);
        var ok = status == RunStatus.Succeeded ? "True" : "False";
        await backend.Metadata.AddMetadataAsync(reference.ToString(), MetaflowStatus.EndStep, task.TaskId,
        [
            new MetaflowMetadataWrite(MetaflowStatus.AttemptField, "0", MetaflowStatus.AttemptField, 0),
            new MetaflowMetadataWrite(MetaflowStatus.AttemptOkField, ok, "internal_attempt_status", 0),
            new MetaflowMetadataWrite(MetaflowStatus.AttemptDoneField, "0", MetaflowStatus.AttemptDoneField, 0),
        ], cancellationToken).ConfigureAwait(false);
        return await GetAsync(run, cancellationToken).ConfigureAwait(false);
    }

    // ---- reads -----------------------------------------------------------------------------------------

    public override async Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var reference = MetaflowRunRef.Parse(run.Id);
        var dto = await Api.GetRunAsync(reference, cancellationToken).ConfigureAwait(false);
        var status = DeriveStatusAsync(dto, cancellationToken);
        var parameters = ReadParameterNamesAsync(reference, cancellationToken);
        await Task.WhenAll(status, parameters).ConfigureAwait(false);
        return MetaflowMapper.ToRun(dto, backend.Name, await status.ConfigureAwait(false), await parameters.ConfigureAwait(false));
    }

    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        if (query.Metrics.Count > 0 || query.Params.Count > 0 || query.OrderBy.Count > 0 || query.NativeFilter is not null)
        {
            throw new MlopsNotSupportedException(backend.Name, "Runs.List",
                "Metaflow run listings filter by flow, status, tags and start time only: metric and param predicates, ordering and native filters need values the metadata service does not hold. Filter or sort the streamed runs yourself.");
        }
        if (query.Tags is { } tagFilter)
        {
            MetaflowValidation.PlainTags(tagFilter, "RunQuery.Tags");
        }
        var size = backend.Capabilities.Limits.ClampPageSize(query.PageSize);
        return new StreamingPageable<Run>(ct => ListRunsAsync(query, size, ct), size, cancellationToken);
    }

    // ---- tags --------------------------------------------------------------------------------------------

    public override async Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default)
    {
        var reference = MetaflowRunRef.Parse(run.Id);
        MetaflowValidation.PlainTags([new(key, value)], "tag");
        await backend.RequireVersionAsync(MetaflowBackend.TagMutationVersion, "Runs.SetTag", "tag mutation", cancellationToken).ConfigureAwait(false);
        var current = await Api.GetRunAsync(reference, cancellationToken).ConfigureAwait(false);
        RejectSystemTag(current, key);
        await Api.MutateTagsAsync(reference, new TagMutationRequest { TagsToAdd = [key] }, cancellationToken).ConfigureAwait(false);
    }

    public override async Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default)
    {
        var reference = MetaflowRunRef.Parse(run.Id);
        ArgumentException.ThrowIfNullOrEmpty(key);
        await backend.RequireVersionAsync(MetaflowBackend.TagMutationVersion, "Runs.DeleteTag", "tag mutation", cancellationToken).ConfigureAwait(false);
        var current = await Api.GetRunAsync(reference, cancellationToken).ConfigureAwait(false);
        RejectSystemTag(current, key);
        if (!current.Tags.Contains(key, StringComparer.Ordinal))
        {
            throw new MlopsNotFoundException($"Metaflow run '{reference}' has no tag '{key}'.", new MlopsErrorDetails { Backend = backend.Name });
        }
        await Api.MutateTagsAsync(reference, new TagMutationRequest { TagsToRemove = [key] }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tags only (one mutation); params and metrics have no place in the metadata service.</summary>
    public override async Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var reference = MetaflowRunRef.Parse(run.Id);
        if (batch.Params.Count > 0 || batch.Metrics.Count > 0)
        {
            throw NotSupported("LogBatch");
        }
        if (batch.Tags.Count == 0)
        {
            return;
        }
        var tags = MetaflowValidation.PlainTags(batch.Tags, "RunLogBatch.Tags");
        await backend.RequireVersionAsync(MetaflowBackend.TagMutationVersion, "Runs.LogBatch", "tag mutation", cancellationToken).ConfigureAwait(false);
        var current = await Api.GetRunAsync(reference, cancellationToken).ConfigureAwait(false);
        foreach (var tag in tags)
        {
            RejectSystemTag(current, tag);
        }
        await Api.MutateTagsAsync(reference, new TagMutationRequest { TagsToAdd = tags }, cancellationToken).ConfigureAwait(false);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /// <summary>Derives a run's status from its <c>end</c> step's metadata (one request per end task, usually one) and its heartbeat.</summary>
    internal async Task<DerivedStatus> DeriveStatusAsync(RunDto run, CancellationToken ct)
    {
        var reference = new MetaflowRunRef(run.FlowId, run.RunNumber.Value);
        var endMetadata = new List<MetadataDto>();
        await foreach (var task in Api.ListTasksAsync(reference, MetaflowStatus.EndStep, ct).ConfigureAwait(false))
        {
            await foreach (var row in Api.ListTaskMetadataAsync(reference, MetaflowStatus.EndStep, task.TaskId.Value, ct).ConfigureAwait(false))
            {
                if (row.FieldName is MetaflowStatus.AttemptField or MetaflowStatus.AttemptOkField)
                {
                    endMetadata.Add(row);
                }
            }
        }
        return MetaflowStatus.DeriveRun(run.LastHeartbeatTs, endMetadata, backend.Context.TimeProvider.GetUtcNow());
    }

    /// <summary>Parameter names: the artifacts of the run's <c>_parameters</c> task, minus Metaflow internals. Values are not read.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ReadParameterNamesAsync(MetaflowRunRef run, CancellationToken ct)
    {
        Dictionary<string, string>? names = null;
        await foreach (var artifact in Api.ListStepArtifactsAsync(run, "_parameters", ct).ConfigureAwait(false))
        {
            if (MetaflowMapper.IsParameterName(artifact.Name))
            {
                (names ??= new(StringComparer.Ordinal))[artifact.Name] = "";
            }
        }
        return names ?? MetaflowMapper.NoStrings;
    }

    private async IAsyncEnumerable<Run> ListRunsAsync(RunQuery query, int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var flows = new List<string>();
        if (query.PipelineId is { } pipeline)
        {
            flows.Add(pipeline);
        }
        flows.AddRange(query.ExperimentIds.Where(e => !flows.Contains(e, StringComparer.Ordinal)));
        var runs = flows.Count > 0 ? RunsOfFlowsAsync(flows, pageSize, ct) : RunsOfAllFlowsAsync(pageSize, ct);
        var filtered = Filter(runs, query);
        if (query.Statuses.Count == 0)
        {
            await foreach (var run in filtered.WithCancellation(ct).ConfigureAwait(false))
            {
                yield return MetaflowMapper.ToRun(run, backend.Name, null);
            }
            yield break;
        }
        // Status is not stored: derive it per run, a bounded number at a time, keeping the listing's order.
        var window = new Queue<(RunDto Run, Task<DerivedStatus> Status)>();
        var concurrency = Math.Max(1, Context.Options.MaxConcurrentRequests ?? 4);
        await foreach (var run in filtered.WithCancellation(ct).ConfigureAwait(false))
        {
            window.Enqueue((run, DeriveStatusAsync(run, ct)));
            if (window.Count >= concurrency)
            {
                var head = window.Dequeue();
                var status = await head.Status.ConfigureAwait(false);
                if (query.Statuses.Contains(status.Status))
                {
                    yield return MetaflowMapper.ToRun(head.Run, backend.Name, status);
                }
            }
        }
        while (window.Count > 0)
        {
            var head = window.Dequeue();
            var status = await head.Status.ConfigureAwait(false);
            if (query.Statuses.Contains(status.Status))
            {
                yield return MetaflowMapper.ToRun(head.Run, backend.Name, status);
            }
        }
    }

    /// <summary>Runs of named flows. A missing flow's run list is <c>200 []</c> on the wire: it is reported as NotFound.</summary>
    private async IAsyncEnumerable<RunDto> RunsOfFlowsAsync(List<string> flows, int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var flow in flows)
        {
            MetaflowValidation.Name(flow, "flow name");
            var any = false;
            await foreach (var run in Api.ListRunsAsync(flow, pageSize, ct).ConfigureAwait(false))
            {
                any = true;
                yield return run;
            }
            if (!any)
            {
                // Tell an empty flow from a missing one (the service answers [] for both).
                await Api.GetFlowAsync(flow, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Without a flow filter the listing walks every flow (one run listing per flow, streamed).</summary>
    private async IAsyncEnumerable<RunDto> RunsOfAllFlowsAsync(int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var flows = new List<string>();
        await foreach (var flow in Api.ListFlowsAsync(pageSize, ct).ConfigureAwait(false))
        {
            flows.Add(flow.FlowId);
        }
        foreach (var flow in flows)
        {
            await foreach (var run in Api.ListRunsAsync(flow, pageSize, ct).ConfigureAwait(false))
            {
                yield return run;
            }
        }
    }

    private static async IAsyncEnumerable<RunDto> Filter(IAsyncEnumerable<RunDto> runs, RunQuery query)
    {
        var after = query.StartedAfter?.ToUnixTimeMilliseconds();
        var before = query.StartedBefore?.ToUnixTimeMilliseconds();
        await foreach (var run in runs.ConfigureAwait(false))
        {
            if ((after is { } a && run.TsEpoch < a) || (before is { } b && run.TsEpoch >= b))
            {
                continue;
            }
            if (query.Tags is { Count: > 0 } tags && !tags.Keys.All(k => run.Tags.Contains(k, StringComparer.Ordinal)))
            {
                continue;
            }
            yield return run;
        }
    }

    private void RejectSystemTag(RunDto run, string tag)
    {
        if (run.SystemTags.Contains(tag, StringComparer.Ordinal))
        {
            throw new MlopsValidationException(
                $"'{tag}' is a system tag of Metaflow run '{run.FlowId}/{run.RunNumber}'; system tags are read-only (see Run.SystemTags).",
                new MlopsErrorDetails { Backend = backend.Name });
        }
    }

    internal static async IAsyncEnumerable<TOut> Select<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, TOut> map, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in source.WithCancellation(ct).ConfigureAwait(false))
        {
            yield return map(item);
        }
    }
}
