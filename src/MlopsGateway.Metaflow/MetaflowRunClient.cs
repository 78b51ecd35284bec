using System.Runtime.CompilerServices;
using MlopsGateway.Http;
using MlopsGateway.Metaflow.Api;

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

    private static readonly MetaflowJsonContext Json = MetaflowJsonContext.Default;

    protected override string NotSupportedHint =>
        "the Metaflow metadata service records runs, tags, steps and artifact records only: parameter values, metrics and artifact files live pickled in Metaflow's datastore. Route tracking to an MLflow or Local backend.";

    /// <summary>
    /// Registration: the experiment name is the flow (registered when missing), the caller's run id (or a
    /// generated one) the string run id. Flows are not exposed as experiments otherwise (they cannot be
    /// deleted or restored), so the buffered run helper gets a private view that knows the flow mapping.
    /// </summary>
    public override Task<ActiveRun> StartAsync(string experimentName, RunStartOptions? options = null, CancellationToken cancellationToken = default)
        => ActiveRun.StartAsync(new RegistrationView(backend, this), experimentName, options, backend.Capabilities.Limits, Context.TimeProvider, cancellationToken);

    // ---- registration --------------------------------------------------------------------------------

    public override async Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MetaflowValidation.Name(experimentId, "flow name");
        var runId = options?.RunId ?? "mlopsgw-" + Guid.NewGuid().ToString("N");
        MetaflowValidation.RunId(runId);
        var tags = options?.Tags is { Count: > 0 } t ? t.Select(kv => MetaflowTags.Encode(kv.Key, kv.Value)).ToList() : [];
        var systemTags = new List<string> { $"user:{backend.UserName}", "runtime:mlopsgateway" };
        if (options?.Name is { Length: > 0 } name)
        {
            systemTags.Add(MetaflowTags.NameTag(name));
        }
        var reference = new MetaflowRunRef(experimentId, runId);
        var body = new CreateObjectRequest
        {
            UserName = backend.UserName,
            RunNumber = runId,
            Tags = tags,
            SystemTags = systemTags,
        };
        RunDto run;
        try
        {
            run = await backend.RunsApi.CreateRunAsync(experimentId, body, cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsConflictException)
        {
            // A retried registration (or the caller's id registered before): the run exists, read it.
            return await GetAsync(reference.ToString(), cancellationToken).ConfigureAwait(false);
        }
        // Runs without a metaflow_version system tag start with no heartbeat; beat now, then every 10 s until ended.
        await RunHeartbeats.UpdatedAsync(backend.RunsApi.HeartbeatRunAsync(experimentId, runId, EmptyBody.Instance, cancellationToken)).ConfigureAwait(false);
        backend.Heartbeats.Start(reference);
        return MetaflowMapper.ToRun(run, backend.Name, new DerivedStatus(RunStatus.Running, "running", null));
    }

    public override async Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
    {
        var reference = MetaflowRunRef.Parse(MlopsGuard.RunId(run), Context);
        if (status is not (RunStatus.Succeeded or RunStatus.Failed or RunStatus.Canceled))
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, $"A run ends Succeeded, Failed or Canceled, not {status}.", Context);
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
        var reference = MetaflowRunRef.Parse(MlopsGuard.RunId(run), Context);
        var dto = await backend.RunsApi.GetRunAsync(reference.Flow, reference.Run, cancellationToken).ConfigureAwait(false);
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
        var size = backend.Capabilities.Limits.ClampPageSize(query.PageSize);
        return new StreamingPageable<Run>(ct => ListRunsAsync(query, size, ct), size, cancellationToken);
    }

    // ---- tags --------------------------------------------------------------------------------------------

    public override Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default)
        => MutateAsync(run, [new(key, value)], null, "Runs.SetTag", cancellationToken);

    public override Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(key);
        return MutateAsync(run, [], key, "Runs.DeleteTag", cancellationToken);
    }

    /// <summary>Tags only (one mutation, last write wins); params and metrics have no place in the metadata service.</summary>
    public override Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Params.Count > 0 || batch.Metrics.Count > 0)
        {
            throw NotSupported("LogBatch");
        }
        return batch.Tags.Count == 0 ? Task.CompletedTask : MutateAsync(run, batch.Tags, null, "Runs.LogBatch", cancellationToken);
    }

    /// <summary>
    /// One <c>tag/mutate</c> (removals are applied before additions, atomically): every stored tag carrying a
    /// written or deleted key is removed and the key's last written value added. System tags are refused
    /// before sending; deleting a key the run does not carry is NotFound.
    /// </summary>
    private async Task MutateAsync(RunRef run, IReadOnlyList<KeyValuePair<string, string>> writes, string? delete, string operation, CancellationToken ct)
    {
        var reference = MetaflowRunRef.Parse(MlopsGuard.RunId(run), Context);
        var finals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in writes)
        {
            MetaflowTags.Encode(key, value); // validates before anything is sent
            finals[key] = value;
        }
        if (delete is not null && delete.StartsWith(MetaflowTags.Prefix, StringComparison.Ordinal))
        {
            throw MlopsGuard.Invalid($"Tag keys starting with '{MetaflowTags.Prefix}' are reserved for the gateway's key=value encoding.");
        }
        await backend.RequireVersionAsync(MetaflowBackend.TagMutationVersion, operation, "tag mutation", ct).ConfigureAwait(false);
        var current = await backend.RunsApi.GetRunAsync(reference.Flow, reference.Run, ct).ConfigureAwait(false);
        var add = finals.Select(kv => MetaflowTags.Encode(kv.Key, kv.Value)).ToList();
        foreach (var tag in add)
        {
            RejectSystemTag(current, tag);
        }
        var keys = delete is null ? finals.Keys.ToList() : [delete];
        if (delete is not null)
        {
            RejectSystemTag(current, delete);
        }
        var remove = keys.SelectMany(k => MetaflowTags.Carrying(current.Tags, k)).Except(add, StringComparer.Ordinal).ToList();
        if (delete is not null && remove.Count == 0)
        {
            throw MlopsErrors.Create(MlopsErrorKind.NotFound, $"Metaflow run '{reference}' has no tag '{delete}'.", Context);
        }
        await backend.RunsApi.MutateTagsAsync(reference.Flow, reference.Run, new TagMutationRequest { TagsToAdd = add, TagsToRemove = remove }, ct).ConfigureAwait(false);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /// <summary>Derives a run's status from its <c>end</c> step's metadata (one request per end task, usually one) and its heartbeat.</summary>
    internal async Task<DerivedStatus> DeriveStatusAsync(RunDto run, CancellationToken ct)
    {
        var reference = new MetaflowRunRef(run.FlowId, run.RunNumber.Value);
        var endMetadata = new List<MetadataDto>();
        var tasks = backend.Lists.ReadAsync(c => backend.TasksApi.ListTasksAsync(reference.Flow, reference.Run, MetaflowStatus.EndStep, c), Json.TaskDto, ct);
        await foreach (var task in tasks.ConfigureAwait(false))
        {
            var rows = backend.Lists.ReadAsync(c => backend.RecordsApi.ListTaskMetadataAsync(reference.Flow, reference.Run, MetaflowStatus.EndStep, task.TaskId.Value, c),
                Json.MetadataDto, ct);
            await foreach (var row in rows.ConfigureAwait(false))
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
        var artifacts = backend.Lists.ReadAsync(c => backend.RecordsApi.ListStepArtifactsAsync(run.Flow, run.Run, "_parameters", c), Json.ArtifactDto, ct);
        await foreach (var artifact in artifacts.ConfigureAwait(false))
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
        if (query.Statuses.Count == 0 && !backend.ResolveListStatus)
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
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            await foreach (var run in filtered.WithCancellation(ct).ConfigureAwait(false))
            {
                window.Enqueue((run, DeriveStatusAsync(run, abandon.Token)));
                if (window.Count >= concurrency && await NextAsync(window, query).ConfigureAwait(false) is { } ready)
                {
                    yield return ready;
                }
            }
            while (window.Count > 0)
            {
                if (await NextAsync(window, query).ConfigureAwait(false) is { } ready)
                {
                    yield return ready;
                }
            }
        }
        finally
        {
            // A consumer that stops early abandons the lookups still in flight.
            await abandon.CancelAsync().ConfigureAwait(false);
            foreach (var (_, pending) in window)
            {
                await pending.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    private async Task<Run?> NextAsync(Queue<(RunDto Run, Task<DerivedStatus> Status)> window, RunQuery query)
    {
        var (run, pending) = window.Dequeue();
        var status = await pending.ConfigureAwait(false);
        return query.Statuses.Count == 0 || query.Statuses.Contains(status.Status) ? MetaflowMapper.ToRun(run, backend.Name, status) : null;
    }

    /// <summary>Runs of named flows. A missing flow's run list is <c>200 []</c> on the wire: it is reported as NotFound.</summary>
    private async IAsyncEnumerable<RunDto> RunsOfFlowsAsync(List<string> flows, int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var flow in flows)
        {
            MetaflowValidation.Name(flow, "flow name");
            var any = false;
            await foreach (var run in ListRunsOfAsync(flow, pageSize, ct).ConfigureAwait(false))
            {
                any = true;
                yield return run;
            }
            if (!any)
            {
                // Tell an empty flow from a missing one (the service answers [] for both).
                await backend.RunsApi.GetFlowAsync(flow, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Without a flow filter the listing walks every flow (one run listing per flow, streamed).</summary>
    private async IAsyncEnumerable<RunDto> RunsOfAllFlowsAsync(int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var flows = new List<string>();
        await foreach (var flow in backend.Lists.ReadPagedAsync((cursor, c) => backend.RunsApi.ListFlowsAsync(pageSize, cursor, c), Json.FlowDto, ct).ConfigureAwait(false))
        {
            flows.Add(flow.FlowId);
        }
        foreach (var flow in flows)
        {
            await foreach (var run in ListRunsOfAsync(flow, pageSize, ct).ConfigureAwait(false))
            {
                yield return run;
            }
        }
    }

    private IAsyncEnumerable<RunDto> ListRunsOfAsync(string flow, int pageSize, CancellationToken ct)
        => backend.Lists.ReadPagedAsync((cursor, c) => backend.RunsApi.ListRunsAsync(flow, pageSize, cursor, c), Json.RunDto, ct);

    private static async IAsyncEnumerable<RunDto> Filter(IAsyncEnumerable<RunDto> runs, RunQuery query)
    {
        var after = query.StartedAfter is { } from ? EpochTime.ToMilliseconds(from) : (long?)null;
        var before = query.StartedBefore is { } to ? EpochTime.ToMilliseconds(to) : (long?)null;
        await foreach (var run in runs.ConfigureAwait(false))
        {
            if ((after is { } a && run.TsEpoch < a) || (before is { } b && run.TsEpoch >= b))
            {
                continue;
            }
            if (query.Tags is { Count: > 0 } tags)
            {
                var map = MetaflowTags.ToMap(run.Tags);
                if (!tags.All(t => map.TryGetValue(t.Key, out var v) && v == t.Value))
                {
                    continue;
                }
            }
            yield return run;
        }
    }

    private void RejectSystemTag(RunDto run, string tag)
    {
        if (run.SystemTags.Contains(tag, StringComparer.Ordinal))
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation,
                $"'{tag}' is a system tag of Metaflow run '{run.FlowId}/{run.RunNumber}'; system tags are read-only (see Run.SystemTags).", Context);
        }
    }

    /// <summary>The run client as the buffered run helper sees it: experiments are flows, registered on demand.</summary>
    private sealed class RegistrationView(MetaflowBackend backend, MetaflowRunClient runs) : RunClientBase(backend)
    {
        public override async Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
            => FlowAsExperiment(await backend.Metadata.RegisterFlowAsync(name, cancellationToken).ConfigureAwait(false));

        public override Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
            => runs.CreateRunAsync(experimentId, options, cancellationToken);

        public override Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
            => runs.LogBatchAsync(run, batch, cancellationToken);

        public override Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
            => runs.EndAsync(run, status, cancellationToken);

        public override Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
            => runs.GetAsync(run, cancellationToken);

        private static Experiment FlowAsExperiment(Pipeline flow) => new()
        {
            Backend = flow.Backend,
            Id = flow.Id,
            Name = flow.Name,
            CreatedAt = flow.CreatedAt,
            Tags = flow.Tags,
            Native = flow.Native,
        };
    }

    internal static async IAsyncEnumerable<TOut> Select<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, TOut> map, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var item in source.WithCancellation(ct).ConfigureAwait(false))
        {
            yield return map(item);
        }
    }
}
