using MlopsGateway.MLflow.Api;

namespace MlopsGateway.MLflow;

/// <summary>A dataset a run consumed, as MLflow records it (log-inputs).</summary>
/// <param name="Name">The dataset name (≤ 500 characters).</param>
/// <param name="Digest">A content digest (≤ 36 characters) that tells versions of the dataset apart.</param>
/// <param name="SourceType">Where it came from, e.g. <c>http</c>, <c>local</c>, <c>s3</c>.</param>
/// <param name="Source">The source description, usually a JSON string (for example <c>{"url": "…"}</c>).</param>
public sealed record MLflowDataset(string Name, string Digest, string SourceType, string Source)
{
    /// <summary>The schema as a JSON string (MLflow's <c>mlflow_colspec</c>), when known.</summary>
    public string? Schema { get; init; }

    /// <summary>Summary statistics as a JSON string (for example <c>{"num_rows": 150}</c>), when known.</summary>
    public string? Profile { get; init; }

    /// <summary>The dataset's role in this run (tag <c>mlflow.data.context</c>: <c>training</c>, <c>validation</c>, <c>test</c> …).</summary>
    public string? Context { get; init; }
}

/// <summary>
/// MLflow-specific operations the backend-neutral clients do not hold: dataset inputs, experiment tags and
/// rename, restoring a soft-deleted run, a model version's download URI and the latest version per stage, and
/// MLflow 3 logged models (create, get, finalize, search). Get it with
/// <c>backend.GetService&lt;MLflowTrackingClient&gt;()</c>. Operations that need a newer server probe
/// <c>/version</c> once and throw <see cref="MlopsNotSupportedException"/> before sending when it is too old.
/// </summary>
public sealed class MLflowTrackingClient
{
    private static readonly Version s_experimentTagDelete = new(3, 2, 0);
    private static readonly Version s_loggedModels = new(3, 0, 0);
    private readonly MLflowBackend _backend;

    internal MLflowTrackingClient(MLflowBackend backend) => _backend = backend;

    private IMLflowTrackingApi Api => _backend.TrackingApi;

    /// <summary>Records datasets as inputs of a run (MLflow de-duplicates by name and digest).</summary>
    /// <param name="run">The run.</param>
    /// <param name="datasets">The datasets.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task LogInputsAsync(RunRef run, IEnumerable<MLflowDataset> datasets, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.LogInputs", () => LogInputsCoreAsync(run, datasets, cancellationToken), new OperationSubject(RunId: run?.Id));

    private Task LogInputsCoreAsync(RunRef run, IEnumerable<MLflowDataset> datasets, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        ArgumentNullException.ThrowIfNull(datasets);
        var inputs = datasets.Select(d =>
        {
            LimitChecks.Value("dataset name", d.Name, 500);
            LimitChecks.Value("dataset digest", d.Digest, 36);
            LimitChecks.Value("dataset source", d.Source, 65_535);
            return new DatasetInputDto
            {
                Tags = d.Context is null ? null : [new KeyValueDto { Key = "mlflow.data.context", Value = d.Context }],
                Dataset = new DatasetDto { Name = d.Name, Digest = d.Digest, SourceType = d.SourceType, Source = d.Source, Schema = d.Schema, Profile = d.Profile },
            };
        }).ToList();
        return Api.LogInputsAsync(new LogInputsRequest { RunId = run.Id, Datasets = inputs }, cancellationToken);
    }

    /// <summary>Sets an experiment tag (key ≤ 250, value ≤ 5000 characters).</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.SetExperimentTag", () => SetExperimentTagCoreAsync(experimentId, key, value, cancellationToken));

    private Task SetExperimentTagCoreAsync(string experimentId, string key, string value, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        LimitChecks.Key("experiment tag", key, MLflowBackend.Limits);
        LimitChecks.Value($"experiment tag '{key}' value", value, 5000);
        return Api.SetExperimentTagAsync(new ExperimentRequest { ExperimentId = experimentId, Key = key, Value = value }, cancellationToken);
    }

    /// <summary>Removes an experiment tag. Needs MLflow 3.2 or newer (checked against <c>/version</c> before sending).</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.DeleteExperimentTag", () => DeleteExperimentTagCoreAsync(experimentId, key, cancellationToken));

    private async Task DeleteExperimentTagCoreAsync(string experimentId, string key, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        MlopsGuard.NotEmpty(key);
        await _backend.RequireVersionAsync(s_experimentTagDelete, "Tracking.DeleteExperimentTag", cancellationToken).ConfigureAwait(false);
        await Api.DeleteExperimentTagAsync(new ExperimentRequest { ExperimentId = experimentId, Key = key }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renames an experiment; a name already taken is <see cref="MlopsConflictException"/>.</summary>
    /// <param name="experimentId">The experiment id.</param>
    /// <param name="newName">The new unique name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.RenameExperiment", () => RenameExperimentCoreAsync(experimentId, newName, cancellationToken));

    private Task RenameExperimentCoreAsync(string experimentId, string newName, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        MlopsGuard.NotEmpty(newName);
        return Api.UpdateExperimentAsync(new ExperimentRequest { ExperimentId = experimentId, NewName = newName }, cancellationToken);
    }

    /// <summary>Restores a soft-deleted run (restoring an active run is a no-op).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task RestoreRunAsync(RunRef run, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.RestoreRun", () => RestoreRunCoreAsync(run, cancellationToken), new OperationSubject(RunId: run?.Id));

    private Task RestoreRunCoreAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        return Api.RestoreRunAsync(new RunRequest { RunId = run.Id }, cancellationToken);
    }

    /// <summary>
    /// Where a model version's files live, as the registry resolves it (<c>get-download-uri</c>): a <c>runs:/</c>
    /// source comes back as the run's artifact location (for example <c>mlflow-artifacts:/1/&lt;run id&gt;/artifacts/model</c>),
    /// any other source as registered (<c>s3://…</c> etc.). Use it to read files from a store the server does not proxy;
    /// for proxied files <see cref="IModelRegistryClient.DownloadVersionFileAsync"/> streams them directly.
    /// </summary>
    /// <param name="modelName">The registered model's name.</param>
    /// <param name="version">The version number (a string, as MLflow sends it).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The artifact URI; an unknown model or version is <see cref="MlopsNotFoundException"/>.</returns>
    public Task<string> GetModelVersionDownloadUriAsync(string modelName, string version, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.GetModelVersionDownloadUri", () => GetModelVersionDownloadUriCoreAsync(modelName, version, cancellationToken), new OperationSubject(ModelName: modelName));

    private async Task<string> GetModelVersionDownloadUriCoreAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(modelName);
        MlopsGuard.NotEmpty(version);
        return (await _backend.RegistryApi.GetDownloadUriAsync(modelName, version, cancellationToken).ConfigureAwait(false)).ArtifactUri ?? string.Empty;
    }

    /// <summary>
    /// The newest version of a registered model in each legacy stage (<c>None</c>, <c>Staging</c>, <c>Production</c>,
    /// <c>Archived</c>) — at most one per stage. Kept for servers and teams still promoting by stage;
    /// stages are deprecated in MLflow, prefer aliases (<see cref="IModelRegistryClient.GetVersionByAliasAsync"/>).
    /// </summary>
    /// <param name="modelName">The registered model's name.</param>
    /// <param name="stages">Only these stages (matched case-insensitively by the server); null or empty for every stage.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string modelName, IEnumerable<string>? stages = null, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.GetLatestVersions", () => GetLatestVersionsCoreAsync(modelName, stages, cancellationToken), new OperationSubject(ModelName: modelName));

    private async Task<IReadOnlyList<ModelVersion>> GetLatestVersionsCoreAsync(string modelName, IEnumerable<string>? stages = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(modelName);
        var page = await _backend.RegistryApi.GetLatestVersionsAsync(modelName, stages ?? [], cancellationToken).ConfigureAwait(false);
        return (page.ModelVersions ?? []).Select(v => MLflowMapper.ToVersion(_backend.Name, v)).ToList();
    }

    /// <summary>
    /// Creates an MLflow 3 logged model in an experiment; it starts <see cref="MLflowLoggedModelStatus.Pending"/> until
    /// <see cref="FinalizeLoggedModelAsync"/>. Needs MLflow 3.0 or newer (checked against <c>/version</c> before sending:
    /// older servers get <see cref="MlopsNotSupportedException"/>). Never retried once sent, so a lost answer cannot
    /// create a second model.
    /// </summary>
    /// <param name="experimentId">The experiment to create it in.</param>
    /// <param name="options">Name, type, source run, params and tags; all optional.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MLflowLoggedModel> CreateLoggedModelAsync(string experimentId, MLflowLoggedModelCreateOptions? options = null, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.CreateLoggedModel", () => CreateLoggedModelCoreAsync(experimentId, options, cancellationToken));

    private async Task<MLflowLoggedModel> CreateLoggedModelCoreAsync(string experimentId, MLflowLoggedModelCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(experimentId);
        options ??= new MLflowLoggedModelCreateOptions();
        foreach (var key in (options.Params?.Keys ?? []).Concat(options.Tags?.Keys ?? []))
        {
            LimitChecks.Key("logged model param or tag", key, MLflowBackend.Limits);
        }
        await _backend.RequireVersionAsync(s_loggedModels, "Tracking.CreateLoggedModel", cancellationToken).ConfigureAwait(false);
        var response = await _backend.LoggedModelsApi.CreateAsync(new CreateLoggedModelRequest
        {
            ExperimentId = experimentId,
            Name = options.Name,
            ModelType = options.ModelType,
            SourceRunId = options.SourceRunId,
            Params = MLflowMapper.ToPairs(options.Params),
            Tags = MLflowMapper.ToPairs(options.Tags),
        }, cancellationToken).ConfigureAwait(false);
        return ToLoggedModel(response.Model);
    }

    /// <summary>Reads a logged model by id (a deleted or unknown one is <see cref="MlopsNotFoundException"/>). Needs MLflow 3.0+.</summary>
    /// <param name="modelId">The model id (<c>m-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MLflowLoggedModel> GetLoggedModelAsync(string modelId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.GetLoggedModel", () => GetLoggedModelCoreAsync(modelId, cancellationToken));

    private async Task<MLflowLoggedModel> GetLoggedModelCoreAsync(string modelId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(modelId);
        await _backend.RequireVersionAsync(s_loggedModels, "Tracking.GetLoggedModel", cancellationToken).ConfigureAwait(false);
        return ToLoggedModel((await _backend.LoggedModelsApi.GetAsync(modelId, cancellationToken).ConfigureAwait(false)).Model);
    }

    /// <summary>
    /// Marks a logged model's artifacts complete (<see cref="MLflowLoggedModelStatus.Ready"/>) or failed
    /// (<see cref="MLflowLoggedModelStatus.UploadFailed"/>); the server takes the status as its proto number. Needs MLflow 3.0+.
    /// </summary>
    /// <param name="modelId">The model id (<c>m-…</c>).</param>
    /// <param name="status"><see cref="MLflowLoggedModelStatus.Ready"/> or <see cref="MLflowLoggedModelStatus.UploadFailed"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MLflowLoggedModel> FinalizeLoggedModelAsync(string modelId, MLflowLoggedModelStatus status, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.FinalizeLoggedModel", () => FinalizeLoggedModelCoreAsync(modelId, status, cancellationToken));

    private async Task<MLflowLoggedModel> FinalizeLoggedModelCoreAsync(string modelId, MLflowLoggedModelStatus status, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotEmpty(modelId);
        MlopsGuard.That(status is MLflowLoggedModelStatus.Ready or MLflowLoggedModelStatus.UploadFailed,
            $"A logged model is finalized as Ready or UploadFailed, not {status}.");
        await _backend.RequireVersionAsync(s_loggedModels, "Tracking.FinalizeLoggedModel", cancellationToken).ConfigureAwait(false);
        return ToLoggedModel((await _backend.LoggedModelsApi.FinalizeAsync(modelId, new FinalizeLoggedModelRequest { ModelId = modelId, Status = MLflowMapper.LoggedModelStatusName(status) }, cancellationToken).ConfigureAwait(false)).Model);
    }

    /// <summary>
    /// Lists the logged models of some experiments, lazily page by page (<c>next_page_token</c> followed, the same
    /// query resent with it as the server requires), in the server's order. Needs MLflow 3.0+: on an older server the
    /// first page fetch throws <see cref="MlopsNotSupportedException"/> without sending the search.
    /// </summary>
    /// <param name="experimentIds">The experiments to search (at least one).</param>
    /// <param name="filter">An MLflow logged-model filter such as <c>params.lr = '0.01' AND metrics.acc &gt; 0.9</c> (AND only), or null for all.</param>
    /// <param name="pageSize">Models per request; null for the backend default, capped at the backend's page limit.</param>
    /// <param name="cancellationToken">Cancels every page fetch.</param>
    public MlopsPageable<MLflowLoggedModel> SearchLoggedModelsAsync(IEnumerable<string> experimentIds, string? filter = null, int? pageSize = null, CancellationToken cancellationToken = default)
        => _backend.Operations.List("Tracking.SearchLoggedModels", () => SearchLoggedModelsCoreAsync(experimentIds, filter, pageSize, cancellationToken));

    private MlopsPageable<MLflowLoggedModel> SearchLoggedModelsCoreAsync(IEnumerable<string> experimentIds, string? filter = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        var ids = MlopsGuard.NotEmpty(experimentIds);
        var limits = MLflowBackend.Limits;
        return MlopsPageable<MLflowLoggedModel>.Create(async (token, size, ct) =>
        {
            await _backend.RequireVersionAsync(s_loggedModels, "Tracking.SearchLoggedModels", ct).ConfigureAwait(false);
            var page = await _backend.LoggedModelsApi.SearchAsync(new SearchLoggedModelsRequest
            {
                ExperimentIds = [.. ids], Filter = filter, MaxResults = limits.ClampPageSize(size), PageToken = token,
            }, ct).ConfigureAwait(false);
            return new MlopsPage<MLflowLoggedModel>((page.Models ?? []).Select(ToLoggedModel).ToList(), page.NextPageToken);
        }, limits.ClampPageSize(pageSize), cancellationToken);
    }

    private static MLflowLoggedModel ToLoggedModel(LoggedModelDto? dto) => MLflowMapper.ToLoggedModel(dto ?? new LoggedModelDto());

    /// <summary>The server's MLflow version from <c>/version</c> (probed once, then cached).</summary>
    /// <param name="cancellationToken">Cancels waiting for the probe.</param>
    public Task<Version> GetServerVersionAsync(CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Tracking.GetServerVersion", () => GetServerVersionCoreAsync(cancellationToken));

    private Task<Version> GetServerVersionCoreAsync(CancellationToken cancellationToken = default) => _backend.GetServerVersionAsync(cancellationToken);
}
