using System.Collections.Concurrent;
using MlopsGateway.MLflow.Api;

namespace MlopsGateway.MLflow;

/// <summary>Experiments, runs, logging and artifacts over MLflow's tracking API and artifact proxy.</summary>
internal sealed class MLflowRunClient(MLflowBackend backend) : RunClientBase(backend)
{
    private const int HistoryPageSize = 25_000;
    private const int MaxCachedArtifactRoots = 1024;
    private readonly ConcurrentDictionary<string, string[]> _artifactRoots = new(StringComparer.Ordinal);

    private IMLflowTrackingApi Api => backend.TrackingApi;
    private IMLflowArtifactsApi Artifacts => backend.ArtifactsApi;
    private string Name => backend.Name;
    private static BackendLimits Limits => MLflowBackend.Limits;

    protected override string NotSupportedHint => "MLflow runs are tracked, not orchestrated: retry a run by starting a new one, or route Runs to Airflow or Kubeflow.";

    // ---- experiments

    public override async Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(name);
        var tags = new List<KeyValuePair<string, string>>(options?.Tags ?? new Dictionary<string, string>());
        if (options?.Description is { } description)
        {
            tags.Add(new(MLflowMapper.NoteTag, description));
        }
        var created = await Api.CreateExperimentAsync(new CreateExperimentRequest
        {
            Name = name,
            ArtifactLocation = options?.ArtifactLocation,
            Tags = MLflowMapper.ToPairs(tags),
        }, cancellationToken).ConfigureAwait(false);
        return await GetExperimentAsync(created.ExperimentId ?? string.Empty, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        var response = await Api.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return MLflowMapper.ToExperiment(Name, response.Experiment ?? new ExperimentDto());
    }

    public override async Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(name);
        var response = await Api.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
        return MLflowMapper.ToExperiment(Name, response.Experiment ?? new ExperimentDto());
    }

    public override MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ExperimentQuery();
        var filter = MLflowSearch.RegistryFilter([], query.NameContains, null);
        var view = query.IncludeDeleted ? "ALL" : "ACTIVE_ONLY";
        var pageable = MlopsPageable<Experiment>.Create(async (token, size, ct) =>
        {
            // experiments/search has no usable default page size over REST: always send max_results.
            var page = await Api.SearchExperimentsAsync(new SearchExperimentsRequest
            {
                MaxResults = Limits.ClampPageSize(size),
                PageToken = token,
                Filter = filter,
                ViewType = view,
            }, ct).ConfigureAwait(false);
            return new MlopsPage<Experiment>((page.Experiments ?? []).Select(e => MLflowMapper.ToExperiment(Name, e)).ToList(), page.NextPageToken);
        }, Limits.ClampPageSize(query.PageSize), cancellationToken);
        return query.NameContains is { Length: > 0 } text ? pageable.Where(e => e.Name.Contains(text, StringComparison.Ordinal)) : pageable;
    }

    public override Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        return Api.DeleteExperimentAsync(new ExperimentRequest { ExperimentId = experimentId }, cancellationToken);
    }

    public override Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        return Api.RestoreExperimentAsync(new ExperimentRequest { ExperimentId = experimentId }, cancellationToken);
    }

    // ---- runs

    public override async Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        if (options?.RunId is not null)
        {
            throw new MlopsNotSupportedException(Name, "Runs.CreateRun", "MLflow assigns run ids itself; leave RunCreateOptions.RunId unset.");
        }
        if (options?.Tags is { } tags)
        {
            RunLogBatchSplitter.Validate(new RunLogBatch { Tags = tags.ToList() }, Limits);
        }
        var response = await Api.CreateRunAsync(new CreateRunRequest
        {
            ExperimentId = experimentId,
            RunName = options?.Name,
            // MLflow stores 0 when no start_time is sent: always send one.
            StartTime = EpochTime.ToMilliseconds(options?.StartTime ?? Context.TimeProvider.GetUtcNow()),
            Tags = MLflowMapper.ToPairs(options?.Tags),
        }, cancellationToken).ConfigureAwait(false);
        return MLflowMapper.ToRun(Name, response.Run ?? new RunDto());
    }

    public override async Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
        => MLflowMapper.ToRun(Name, await GetRunDtoAsync(run.Id, cancellationToken).ConfigureAwait(false));

    private async Task<RunDto> GetRunDtoAsync(string runId, CancellationToken ct)
    {
        MlopsGuard.RunId(runId);
        var response = await Api.GetRunAsync(runId, ct).ConfigureAwait(false);
        return response.Run ?? new RunDto();
    }

    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        if (query.PipelineId is not null)
        {
            throw new MlopsNotSupportedException(Name, "Runs.List", "MLflow runs belong to experiments, not pipelines; filter by ExperimentIds, or route pipeline runs to Airflow or Kubeflow.");
        }
        var filter = MLflowSearch.RunFilter(query, Name, out var matchesNothing);
        if (matchesNothing)
        {
            return MlopsPageable<Run>.Empty;
        }
        var orderBy = MLflowSearch.RunOrderBy(query);
        return MlopsPageable<Run>.Create(async (token, size, ct) =>
        {
            var experimentIds = query.ExperimentIds.Count > 0 ? query.ExperimentIds.ToList() : await AllExperimentIdsAsync(ct).ConfigureAwait(false);
            if (experimentIds.Count == 0)
            {
                return new MlopsPage<Run>([], null);
            }
            var page = await Api.SearchRunsAsync(new SearchRunsRequest
            {
                ExperimentIds = experimentIds,
                Filter = filter,
                RunViewType = "ACTIVE_ONLY",
                MaxResults = Limits.ClampPageSize(size),
                OrderBy = orderBy,
                PageToken = token,
            }, ct).ConfigureAwait(false);
            return new MlopsPage<Run>((page.Runs ?? []).Select(r => MLflowMapper.ToRun(Name, r)).ToList(), page.NextPageToken);
        }, Limits.ClampPageSize(query.PageSize), cancellationToken);
    }

    /// <summary>runs/search needs experiment ids: with none given, every active experiment.</summary>
    private async Task<List<string>> AllExperimentIdsAsync(CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var experiment in ListExperimentsAsync(new ExperimentQuery { PageSize = Limits.MaxPageSize }, ct).ConfigureAwait(false))
        {
            ids.Add(experiment.Id);
        }
        return ids;
    }

    public override async Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var metric in batch.Metrics)
        {
            if (metric.Timestamp < DateTimeOffset.UnixEpoch)
            {
                throw MlopsGuard.Invalid($"Metric '{metric.Key}' has timestamp {metric.Timestamp:O}; MLflow needs a timestamp at or after 1970-01-01.");
            }
        }
        // Split validates keys and values first: nothing is sent when anything would be rejected or truncated.
        foreach (var chunk in RunLogBatchSplitter.Split(batch, Limits))
        {
            await Api.LogBatchAsync(new LogBatchRequest
            {
                RunId = run.Id,
                Metrics = chunk.Metrics.Count == 0 ? null : chunk.Metrics.Select(MLflowMapper.FromMetricPoint).ToList(),
                Params = MLflowMapper.ToPairs(chunk.Params),
                Tags = MLflowMapper.ToPairs(chunk.Tags),
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task SetTagAsync(RunRef run, string key, string value, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        RunLogBatchSplitter.Validate(new RunLogBatch { Tags = [new(key, value)] }, Limits);
        return Api.SetTagAsync(new RunRequest { RunId = run.Id, Key = key, Value = value }, cancellationToken);
    }

    public override Task DeleteTagAsync(RunRef run, string key, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        MlopsGuard.NotEmpty(key);
        return Api.DeleteTagAsync(new RunRequest { RunId = run.Id, Key = key }, cancellationToken);
    }

    public override MlopsPageable<MetricPoint> GetMetricHistoryAsync(RunRef run, string metricKey, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        MlopsGuard.NotEmpty(metricKey);
        return new RechunkedPageable<MetricPoint>(async (token, size, ct) =>
        {
            // 2.x returns the whole history whatever max_results says (re-chunked to the caller's page size);
            // 3.1.1+ pages with next_page_token.
            var page = await Api.GetMetricHistoryAsync(run.Id, metricKey, Math.Clamp(size, 1, HistoryPageSize), token, ct).ConfigureAwait(false);
            var points = (page.Metrics ?? []).Select(MLflowMapper.ToMetricPoint).OrderBy(p => p.Step).ThenBy(p => p.Timestamp).ToList();
            if (points.Count == 0 && token is null)
            {
                // The server answers {} for an unknown run: make that a NotFound.
                await Api.GetRunAsync(run.Id, ct).ConfigureAwait(false);
            }
            return new MlopsPage<MetricPoint>(points, page.NextPageToken);
        }, HistoryPageSize, cancellationToken);
    }

    public override async Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        if (status is not (RunStatus.Succeeded or RunStatus.Failed or RunStatus.Canceled))
        {
            // The server silently ignores status names it does not know: validate here.
            throw MlopsGuard.Invalid($"A run ends Succeeded, Failed or Canceled (MLflow FINISHED, FAILED, KILLED); {status} is not a terminal status.");
        }
        await Api.UpdateRunAsync(new RunRequest
        {
            RunId = run.Id,
            Status = MLflowMapper.FromStatus(status),
            EndTime = EpochTime.ToMilliseconds(Context.TimeProvider.GetUtcNow()),
        }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(run, cancellationToken).ConfigureAwait(false);
    }

    public override async Task CancelAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var current = await GetAsync(run, cancellationToken).ConfigureAwait(false);
        if (!current.IsTerminal)
        {
            await EndAsync(run, RunStatus.Canceled, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        _artifactRoots.TryRemove(run.Id, out _);
        return Api.DeleteRunAsync(new RunRequest { RunId = run.Id }, cancellationToken);
    }

    // ---- artifacts

    public override async Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var segments = MLflowArtifactPaths.Split(path, allowEmpty: false);
        var root = await ArtifactRootAsync(run.Id, "Runs.UploadArtifact", cancellationToken).ConfigureAwait(false);
        await Artifacts.UploadAsync(MLflowArtifactPaths.Join([.. root, .. segments]), Octets(content), cancellationToken).ConfigureAwait(false);
    }

    public override async Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default)
    {
        var segments = MLflowArtifactPaths.Split(path, allowEmpty: false);
        var root = await ArtifactRootAsync(run.Id, "Runs.DownloadArtifact", cancellationToken).ConfigureAwait(false);
        return await Artifacts.DownloadAsync(MLflowArtifactPaths.Join([.. root, .. segments]), cancellationToken).ConfigureAwait(false);
    }

    public override MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        var directory = MLflowArtifactPaths.Join(MLflowArtifactPaths.Split(path, allowEmpty: true));
        return new RechunkedPageable<ArtifactInfo>(async (token, _, ct) =>
        {
            // Tracking-side listing: paths come back run-relative; a missing directory is just root_uri.
            var page = await Api.ListArtifactsAsync(run.Id, directory, token, ct).ConfigureAwait(false);
            return new MlopsPage<ArtifactInfo>((page.Files ?? []).Select(f => MLflowMapper.ToArtifact(f)).ToList(), page.NextPageToken);
        }, Limits.DefaultPageSize, cancellationToken);
    }

    /// <summary>The upload body: streamed from the caller's stream, never buffered whole (and so never retried).</summary>
    private static StreamContent Octets(Stream content)
    {
        var body = new StreamContent(content, 81920);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return body;
    }

    /// <summary>The proxy path of the run's artifact root, from its artifact_uri (cached per run; bounded).</summary>
    private async Task<string[]> ArtifactRootAsync(string runId, string operation, CancellationToken ct)
    {
        MlopsGuard.RunId(runId);
        if (_artifactRoots.TryGetValue(runId, out var cached))
        {
            return cached;
        }
        var run = await GetRunDtoAsync(runId, ct).ConfigureAwait(false);
        var uri = run.Info?.ArtifactUri;
        var root = MLflowArtifactPaths.ProxySegments(uri) ?? throw new MlopsNotSupportedException(Name, operation,
            $"the run's artifacts live at '{uri}', which the MLflow server does not proxy. Start the server with --serve-artifacts (artifact root mlflow-artifacts:/…) or read that store directly.");
        if (_artifactRoots.Count >= MaxCachedArtifactRoots)
        {
            _artifactRoots.Clear();
        }
        _artifactRoots[runId] = root;
        return root;
    }
}
