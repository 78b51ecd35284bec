namespace MlopsGateway;

internal sealed class InstrumentedModelRegistryClient(IModelRegistryClient inner, InstrumentedBackend b) : IModelRegistryClient
{
    private static OperationSubject M(string name) => InstrumentedBackend.ModelTag(name);

    public Task<RegisteredModel> CreateModelAsync(string name, ModelCreateOptions? options = null, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.CreateModel", M(name), () => inner.CreateModelAsync(name, options, cancellationToken));

    public Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.GetModel", M(name), () => inner.GetModelAsync(name, cancellationToken));

    public MlopsPageable<RegisteredModel> ListModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default)
        => b.List("Models.ListModels", default, () => inner.ListModelsAsync(query, cancellationToken));

    public Task<RegisteredModel> RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.RenameModel", M(name), () => inner.RenameModelAsync(name, newName, cancellationToken));

    public Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.UpdateModel", M(name), () => inner.UpdateModelAsync(name, update, cancellationToken));

    public Task DeleteModelAsync(string name, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.DeleteModel", M(name), () => inner.DeleteModelAsync(name, cancellationToken));

    public Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.SetModelTag", M(name), () => inner.SetModelTagAsync(name, key, value, cancellationToken));

    public Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.DeleteModelTag", M(name), () => inner.DeleteModelTagAsync(name, key, cancellationToken));

    public Task<ModelVersion> CreateVersionAsync(string modelName, ModelVersionCreateOptions options, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.CreateVersion", M(modelName), () => inner.CreateVersionAsync(modelName, options, cancellationToken));

    public Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.GetVersion", M(modelName), () => inner.GetVersionAsync(modelName, version, cancellationToken));

    public MlopsPageable<ModelVersion> ListVersionsAsync(string modelName, ModelVersionQuery? query = null, CancellationToken cancellationToken = default)
        => b.List("Models.ListVersions", M(modelName), () => inner.ListVersionsAsync(modelName, query, cancellationToken));

    public Task<ModelVersion> UpdateVersionAsync(string modelName, string version, ModelUpdate update, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.UpdateVersion", M(modelName), () => inner.UpdateVersionAsync(modelName, version, update, cancellationToken));

    public Task DeleteVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.DeleteVersion", M(modelName), () => inner.DeleteVersionAsync(modelName, version, cancellationToken));

    public Task SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.SetVersionTag", M(modelName), () => inner.SetVersionTagAsync(modelName, version, key, value, cancellationToken));

    public Task DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.DeleteVersionTag", M(modelName), () => inner.DeleteVersionTagAsync(modelName, version, key, cancellationToken));

    public Task SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.SetAlias", M(modelName), () => inner.SetAliasAsync(modelName, alias, version, cancellationToken));

    public Task DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.DeleteAlias", M(modelName), () => inner.DeleteAliasAsync(modelName, alias, cancellationToken));

    public Task<ModelVersion> GetVersionByAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.GetVersionByAlias", M(modelName), () => inner.GetVersionByAliasAsync(modelName, alias, cancellationToken));

    public Task<ModelVersion> TransitionStageAsync(string modelName, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.TransitionStage", M(modelName), () => inner.TransitionStageAsync(modelName, version, stage, archiveExistingVersions, cancellationToken));

    public MlopsPageable<ArtifactInfo> ListVersionFilesAsync(string modelName, string version, string? path = null, CancellationToken cancellationToken = default)
        => b.List("Models.ListVersionFiles", M(modelName), () => inner.ListVersionFilesAsync(modelName, version, path, cancellationToken));

    public Task<Stream> DownloadVersionFileAsync(string modelName, string version, string path, CancellationToken cancellationToken = default)
        => b.InvokeAsync("Models.DownloadVersionFile", M(modelName), () => inner.DownloadVersionFileAsync(modelName, version, path, cancellationToken));
}
