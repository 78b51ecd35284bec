using MlopsGateway.MLflow.Api;

namespace MlopsGateway.MLflow;

/// <summary>The MLflow model registry: registered models, versions, aliases (the promotion mechanism), legacy stages, tags and version files.</summary>
internal sealed class MLflowModelRegistryClient(MLflowBackend backend) : ModelRegistryClientBase(backend)
{
    private const int RegistryTagValueLimit = 5000;

    private IMLflowRegistryApi Api => backend.RegistryApi;
    private string Name => backend.Name;
    private static BackendLimits Limits => MLflowBackend.Limits;

    public override async Task<RegisteredModel> CreateModelAsync(string name, ModelCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        CheckTags(options?.Tags);
        var response = await Api.CreateModelAsync(new CreateRegisteredModelRequest
        {
            Name = name,
            Description = options?.Description,
            Tags = MLflowMapper.ToPairs(options?.Tags),
        }, cancellationToken).ConfigureAwait(false);
        return ToModel(response.RegisteredModel);
    }

    public override async Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ToModel((await Api.GetModelAsync(name, cancellationToken).ConfigureAwait(false)).RegisteredModel);
    }

    public override MlopsPageable<RegisteredModel> ListModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ModelQuery();
        var filter = MLflowSearch.RegistryFilter([], query.NameContains, query.Tags);
        var pageable = MlopsPageable<RegisteredModel>.Create(async (token, size, ct) =>
        {
            var page = await Api.SearchModelsAsync(filter, Limits.ClampPageSize(size), ["name ASC"], token, ct).ConfigureAwait(false);
            return new MlopsPage<RegisteredModel>((page.RegisteredModels ?? []).Select(ToModel).ToList(), page.NextPageToken);
        }, Limits.ClampPageSize(query.PageSize), cancellationToken);
        return query.NameContains is { Length: > 0 } text ? pageable.Where(m => m.Name.Contains(text, StringComparison.Ordinal)) : pageable;
    }

    public override async Task<RegisteredModel> RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(newName);
        return ToModel((await Api.RenameModelAsync(new RegistryRequest { Name = name, NewName = newName }, cancellationToken).ConfigureAwait(false)).RegisteredModel);
    }

    public override async Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(update);
        return ToModel((await Api.UpdateModelAsync(new RegistryRequest { Name = name, Description = update.Description }, cancellationToken).ConfigureAwait(false)).RegisteredModel);
    }

    public override Task DeleteModelAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Api.DeleteModelAsync(new RegistryRequest { Name = name }, cancellationToken);
    }

    public override Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        CheckTags(new Dictionary<string, string> { [key] = value });
        return Api.SetModelTagAsync(new RegistryRequest { Name = name, Key = key, Value = value }, cancellationToken);
    }

    public override Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Api.DeleteModelTagAsync(new RegistryRequest { Name = name, Key = key }, cancellationToken);
    }

    public override async Task<ModelVersion> CreateVersionAsync(string modelName, ModelVersionCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Source);
        CheckTags(options.Tags);
        var response = await Api.CreateVersionAsync(new CreateModelVersionRequest
        {
            Name = modelName,
            Source = options.Source,
            RunId = options.Run?.Id,
            Description = options.Description,
            Tags = MLflowMapper.ToPairs(options.Tags),
        }, cancellationToken).ConfigureAwait(false);
        return ToVersion(response.ModelVersion);
    }

    public override async Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        return ToVersion((await Api.GetVersionAsync(modelName, version, cancellationToken).ConfigureAwait(false)).ModelVersion);
    }

    public override MlopsPageable<ModelVersion> ListVersionsAsync(string modelName, ModelVersionQuery? query = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        query ??= new ModelVersionQuery();
        var fixedClauses = new List<string> { $"name = {MLflowSearch.Literal(modelName)}" };
        if (query.RunId is { Length: > 0 } runId)
        {
            fixedClauses.Add($"run_id = {MLflowSearch.Literal(runId)}");
        }
        var filter = MLflowSearch.RegistryFilter(fixedClauses, null, query.Tags);
        return MlopsPageable<ModelVersion>.Create(async (token, size, ct) =>
        {
            var page = await Api.SearchVersionsAsync(filter, Limits.ClampPageSize(size), ["version_number DESC"], token, ct).ConfigureAwait(false);
            return new MlopsPage<ModelVersion>((page.ModelVersions ?? []).Select(ToVersion).ToList(), page.NextPageToken);
        }, Limits.ClampPageSize(query.PageSize), cancellationToken);
    }

    public override async Task<ModelVersion> UpdateVersionAsync(string modelName, string version, ModelUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(update);
        return ToVersion((await Api.UpdateVersionAsync(new RegistryRequest { Name = modelName, Version = version, Description = update.Description }, cancellationToken).ConfigureAwait(false)).ModelVersion);
    }

    public override Task DeleteVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        return Api.DeleteVersionAsync(new RegistryRequest { Name = modelName, Version = version }, cancellationToken);
    }

    public override Task SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        CheckTags(new Dictionary<string, string> { [key] = value });
        return Api.SetVersionTagAsync(new RegistryRequest { Name = modelName, Version = version, Key = key, Value = value }, cancellationToken);
    }

    public override Task DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return Api.DeleteVersionTagAsync(new RegistryRequest { Name = modelName, Version = version, Key = key }, cancellationToken);
    }

    public override Task SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(alias);
        ArgumentException.ThrowIfNullOrEmpty(version);
        return Api.SetAliasAsync(new RegistryRequest { Name = modelName, Alias = alias, Version = version }, cancellationToken);
    }

    public override Task DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(alias);
        return Api.DeleteAliasAsync(new RegistryRequest { Name = modelName, Alias = alias }, cancellationToken);
    }

    public override async Task<ModelVersion> GetVersionByAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(alias);
        return ToVersion((await Api.GetVersionByAliasAsync(modelName, alias, cancellationToken).ConfigureAwait(false)).ModelVersion);
    }

    /// <summary>Stages are deprecated in MLflow (since 2.9) in favour of aliases; kept for older servers and workflows.</summary>
    public override async Task<ModelVersion> TransitionStageAsync(string modelName, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(stage);
        return ToVersion((await Api.TransitionStageAsync(new RegistryRequest
        {
            Name = modelName, Version = version, Stage = stage, ArchiveExistingVersions = archiveExistingVersions,
        }, cancellationToken).ConfigureAwait(false)).ModelVersion);
    }

    public override MlopsPageable<ArtifactInfo> ListVersionFilesAsync(string modelName, string version, string? path = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        var relative = MLflowArtifactPaths.Split(path, allowEmpty: true);
        var prefix = MLflowArtifactPaths.Join(relative);
        return new RechunkedPageable<ArtifactInfo>(async (_, _, ct) =>
        {
            var root = await VersionRootAsync(modelName, version, "Models.ListVersionFiles", ct).ConfigureAwait(false);
            var page = await backend.ArtifactsApi.ListAsync(MLflowArtifactPaths.Join([.. root, .. relative]), ct).ConfigureAwait(false);
            // The proxy lists names relative to the listed directory: make them version-relative.
            return new MlopsPage<ArtifactInfo>((page.Files ?? []).Select(f => MLflowMapper.ToArtifact(f, prefix)).ToList(), null);
        }, Limits.DefaultPageSize, cancellationToken);
    }

    public override async Task<Stream> DownloadVersionFileAsync(string modelName, string version, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(version);
        var relative = MLflowArtifactPaths.Split(path, allowEmpty: false);
        var root = await VersionRootAsync(modelName, version, "Models.DownloadVersionFile", cancellationToken).ConfigureAwait(false);
        return await backend.ArtifactsApi.DownloadAsync(MLflowArtifactPaths.Join([.. root, .. relative]), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The proxy path of the version's files, via get-download-uri (which also resolves <c>runs:/</c> sources).</summary>
    private async Task<string[]> VersionRootAsync(string modelName, string version, string operation, CancellationToken ct)
    {
        var uri = (await Api.GetDownloadUriAsync(modelName, version, ct).ConfigureAwait(false)).ArtifactUri;
        return MLflowArtifactPaths.ProxySegments(uri) ?? throw new MlopsNotSupportedException(Name, operation,
            $"version {version} of '{modelName}' is stored at '{uri}', which the MLflow server does not proxy; read it from that store directly, or register versions from mlflow-artifacts:/ locations (server started with --serve-artifacts).");
    }

    /// <summary>Registry tags: key ≤ 250, value ≤ 5000 (the 2.17.2 limit; 3.x allows more, the smaller limit is safe for both).</summary>
    private static void CheckTags(IReadOnlyDictionary<string, string>? tags)
    {
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            LimitChecks.Key("tag", key, Limits);
            LimitChecks.Value($"tag '{key}' value", value, RegistryTagValueLimit);
        }
    }

    private RegisteredModel ToModel(RegisteredModelDto? dto) => MLflowMapper.ToModel(Name, dto ?? new RegisteredModelDto());

    private ModelVersion ToVersion(ModelVersionDto? dto) => MLflowMapper.ToVersion(Name, dto ?? new ModelVersionDto());
}
