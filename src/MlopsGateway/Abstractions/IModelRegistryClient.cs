namespace MlopsGateway;

/// <summary>
/// The model registry: registered models, versions, aliases (the promotion mechanism), legacy
/// stages where native, tags, and a version's files.
/// </summary>
public interface IModelRegistryClient
{
    /// <summary>Registers a model name; an existing name throws <see cref="MlopsConflictException"/>.</summary>
    /// <param name="name">The unique model name.</param>
    /// <param name="options">Description and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<RegisteredModel> CreateModelAsync(string name, ModelCreateOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a registered model; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists (searches) registered models lazily, page by page.</summary>
    /// <param name="query">Optional filters and page size.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<RegisteredModel> ListModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Renames a registered model and returns it under the new name.</summary>
    /// <param name="name">The current name.</param>
    /// <param name="newName">The new name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<RegisteredModel> RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default);

    /// <summary>Updates a registered model's fields.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="update">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Deletes a registered model and its versions (Kubeflow Model Registry: archives it; the name stays reserved).</summary>
    /// <param name="name">The model name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteModelAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Sets a tag on a registered model.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Removes a tag from a registered model.</summary>
    /// <param name="name">The model name.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default);

    /// <summary>Creates a new version of a registered model from a source URI (and optionally the run that produced it).</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="options">Source, run, description and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ModelVersion> CreateVersionAsync(string modelName, ModelVersionCreateOptions options, CancellationToken cancellationToken = default);

    /// <summary>Gets one version; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>Lists (searches) versions of a model lazily.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="query">Optional filters and page size.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<ModelVersion> ListVersionsAsync(string modelName, ModelVersionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Updates a version's fields.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="update">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ModelVersion> UpdateVersionAsync(string modelName, string version, ModelUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Deletes a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteVersionAsync(string modelName, string version, CancellationToken cancellationToken = default);

    /// <summary>Sets a tag on a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Removes a tag from a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default);

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, moving it from any other version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias (for example <c>champion</c>).</param>
    /// <param name="version">The version string.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default);

    /// <summary>Removes an alias.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default);

    /// <summary>Gets the version an alias points at; an unknown alias is <see cref="MlopsNotFoundException"/>.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ModelVersion> GetVersionByAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default);

    /// <summary>Moves a version to a legacy stage (MLflow, Local); deprecated on MLflow in favour of aliases.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="stage"><c>None</c>, <c>Staging</c>, <c>Production</c> or <c>Archived</c>.</param>
    /// <param name="archiveExistingVersions">Move other versions in the target stage to Archived.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ModelVersion> TransitionStageAsync(string modelName, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default);

    /// <summary>Lists the files of a version (a directory's direct children; the root when <paramref name="path"/> is null).</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="path">Version-relative directory path.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    MlopsPageable<ArtifactInfo> ListVersionFilesAsync(string modelName, string version, string? path = null, CancellationToken cancellationToken = default);

    /// <summary>Opens one file of a version for reading. A source the gateway cannot reach (non-proxied <c>s3://…</c>) is <see cref="MlopsNotSupportedException"/> naming the URI.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version string.</param>
    /// <param name="path">Version-relative file path.</param>
    /// <param name="cancellationToken">Cancels opening the stream.</param>
    Task<Stream> DownloadVersionFileAsync(string modelName, string version, string path, CancellationToken cancellationToken = default);
}
