namespace MlopsGateway;

internal sealed class CompositeModelRegistryClient(CompositeBackend c) : IModelRegistryClient
{
    private IModelRegistryClient Route => c.Get(c.ModelsBackend).Models;

    public Task<RegisteredModel> CreateModelAsync(string name, ModelCreateOptions? options = null, CancellationToken cancellationToken = default) => Route.CreateModelAsync(name, options, cancellationToken);
    public Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default) => Route.GetModelAsync(name, cancellationToken);
    public MlopsPageable<RegisteredModel> ListModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default) => Route.ListModelsAsync(query, cancellationToken);
    public Task<RegisteredModel> RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default) => Route.RenameModelAsync(name, newName, cancellationToken);
    public Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default) => Route.UpdateModelAsync(name, update, cancellationToken);
    public Task DeleteModelAsync(string name, CancellationToken cancellationToken = default) => Route.DeleteModelAsync(name, cancellationToken);
    public Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default) => Route.SetModelTagAsync(name, key, value, cancellationToken);
    public Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default) => Route.DeleteModelTagAsync(name, key, cancellationToken);
    public Task<ModelVersion> CreateVersionAsync(string modelName, ModelVersionCreateOptions options, CancellationToken cancellationToken = default) => Route.CreateVersionAsync(modelName, options, cancellationToken);
    public Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) => Route.GetVersionAsync(modelName, version, cancellationToken);
    public MlopsPageable<ModelVersion> ListVersionsAsync(string modelName, ModelVersionQuery? query = null, CancellationToken cancellationToken = default) => Route.ListVersionsAsync(modelName, query, cancellationToken);
    public Task<ModelVersion> UpdateVersionAsync(string modelName, string version, ModelUpdate update, CancellationToken cancellationToken = default) => Route.UpdateVersionAsync(modelName, version, update, cancellationToken);
    public Task DeleteVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) => Route.DeleteVersionAsync(modelName, version, cancellationToken);
    public Task SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default) => Route.SetVersionTagAsync(modelName, version, key, value, cancellationToken);
    public Task DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default) => Route.DeleteVersionTagAsync(modelName, version, key, cancellationToken);
    public Task SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default) => Route.SetAliasAsync(modelName, alias, version, cancellationToken);
    public Task DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default) => Route.DeleteAliasAsync(modelName, alias, cancellationToken);
    public Task<ModelVersion> GetVersionByAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default) => Route.GetVersionByAliasAsync(modelName, alias, cancellationToken);
    public Task<ModelVersion> TransitionStageAsync(string modelName, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default) => Route.TransitionStageAsync(modelName, version, stage, archiveExistingVersions, cancellationToken);
    public MlopsPageable<ArtifactInfo> ListVersionFilesAsync(string modelName, string version, string? path = null, CancellationToken cancellationToken = default) => Route.ListVersionFilesAsync(modelName, version, path, cancellationToken);
    public Task<Stream> DownloadVersionFileAsync(string modelName, string version, string path, CancellationToken cancellationToken = default) => Route.DownloadVersionFileAsync(modelName, version, path, cancellationToken);
}
