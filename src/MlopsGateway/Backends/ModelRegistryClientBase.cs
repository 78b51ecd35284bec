namespace MlopsGateway;

/// <summary>Base for an adapter's <see cref="IModelRegistryClient"/>: every operation throws <see cref="MlopsNotSupportedException"/> until overridden.</summary>
public abstract class ModelRegistryClientBase : SubClientBase, IModelRegistryClient
{
    /// <summary>Creates the client.</summary>
    /// <param name="backend">The owning backend.</param>
    protected ModelRegistryClientBase(MlopsBackendBase backend) : base(backend) { }

    /// <inheritdoc/>
    protected override string SubClientName => "Models";

    /// <inheritdoc/>
    protected override string NotSupportedHint => "Route Models to an MLflow, Kubeflow (with a Model Registry) or Local backend.";

    /// <inheritdoc/>
    public virtual Task<RegisteredModel> CreateModelAsync(string name, ModelCreateOptions? options = null, CancellationToken cancellationToken = default) => throw NotSupported("CreateModel");

    /// <inheritdoc/>
    public virtual Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default) => throw NotSupported("GetModel");

    /// <inheritdoc/>
    public virtual MlopsPageable<RegisteredModel> ListModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default) => throw NotSupported("ListModels");

    /// <inheritdoc/>
    public virtual Task<RegisteredModel> RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default) => throw NotSupported("RenameModel");

    /// <inheritdoc/>
    public virtual Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default) => throw NotSupported("UpdateModel");

    /// <inheritdoc/>
    public virtual Task DeleteModelAsync(string name, CancellationToken cancellationToken = default) => throw NotSupported("DeleteModel");

    /// <inheritdoc/>
    public virtual Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default) => throw NotSupported("SetModelTag");

    /// <inheritdoc/>
    public virtual Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default) => throw NotSupported("DeleteModelTag");

    /// <inheritdoc/>
    public virtual Task<ModelVersion> CreateVersionAsync(string modelName, ModelVersionCreateOptions options, CancellationToken cancellationToken = default) => throw NotSupported("CreateVersion");

    /// <inheritdoc/>
    public virtual Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) => throw NotSupported("GetVersion");

    /// <inheritdoc/>
    public virtual MlopsPageable<ModelVersion> ListVersionsAsync(string modelName, ModelVersionQuery? query = null, CancellationToken cancellationToken = default) => throw NotSupported("ListVersions");

    /// <inheritdoc/>
    public virtual Task<ModelVersion> UpdateVersionAsync(string modelName, string version, ModelUpdate update, CancellationToken cancellationToken = default) => throw NotSupported("UpdateVersion");

    /// <inheritdoc/>
    public virtual Task DeleteVersionAsync(string modelName, string version, CancellationToken cancellationToken = default) => throw NotSupported("DeleteVersion");

    /// <inheritdoc/>
    public virtual Task SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default) => throw NotSupported("SetVersionTag");

    /// <inheritdoc/>
    public virtual Task DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default) => throw NotSupported("DeleteVersionTag");

    /// <inheritdoc/>
    public virtual Task SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default) => throw NotSupported("SetAlias");

    /// <inheritdoc/>
    public virtual Task DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default) => throw NotSupported("DeleteAlias");

    /// <inheritdoc/>
    public virtual Task<ModelVersion> GetVersionByAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default) => throw NotSupported("GetVersionByAlias");

    /// <inheritdoc/>
    public virtual Task<ModelVersion> TransitionStageAsync(string modelName, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default) => throw NotSupported("TransitionStage");

    /// <inheritdoc/>
    public virtual MlopsPageable<ArtifactInfo> ListVersionFilesAsync(string modelName, string version, string? path = null, CancellationToken cancellationToken = default) => throw NotSupported("ListVersionFiles");

    /// <inheritdoc/>
    public virtual Task<Stream> DownloadVersionFileAsync(string modelName, string version, string path, CancellationToken cancellationToken = default) => throw NotSupported("DownloadVersionFile");
}
