using System.Text.Json;
using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// The model artifacts of a Model Registry version — where the model's files are (URI, storage key and path)
/// and in which format — which the neutral <see cref="ModelVersion"/> folds into <see cref="ModelVersion.Source"/>.
/// List a version's artifacts, get one by id and update it with <c>PATCH /model_artifacts/{id}</c>. Get it with
/// <c>backend.GetService&lt;KubeflowModelArtifacts&gt;()</c>.
/// Without <c>Endpoints:ModelRegistry</c> configured every call throws <see cref="MlopsNotSupportedException"/> before sending.
/// </summary>
public sealed class KubeflowModelArtifacts
{
    /// <summary>The artifact states the registry accepts (<c>ArtifactState</c>).</summary>
    private static readonly string[] States = ["UNKNOWN", "PENDING", "LIVE", "MARKED_FOR_DELETION", "DELETED", "ABANDONED", "REFERENCE"];

    private readonly KubeflowBackend _backend;

    internal KubeflowModelArtifacts(KubeflowBackend backend) => _backend = backend;

    /// <summary>Lists the model artifacts of a live version, in id order (other artifact kinds are skipped).</summary>
    /// <param name="modelName">The registered model's name.</param>
    /// <param name="version">The version name (e.g. <c>"3"</c>).</param>
    /// <param name="pageSize">Page size hint (at most 200).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="MlopsNotFoundException">The model or version does not exist or is archived.</exception>
    public MlopsPageable<KubeflowModelArtifact> ListAsync(string modelName, string version, int? pageSize = null, CancellationToken cancellationToken = default)
        => _backend.RegistryOperations.List("ModelArtifacts.List", () => ListCoreAsync(modelName, version, pageSize, cancellationToken), new OperationSubject(ModelName: modelName));

    private MlopsPageable<KubeflowModelArtifact> ListCoreAsync(string modelName, string version, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(modelName);
        MlopsGuard.NotBlank(version);
        var (client, api) = Registry("ModelArtifacts.List");
        var limits = _backend.Capabilities.Limits;
        string? versionId = null;
        return MlopsPageable<KubeflowModelArtifact>.Create(async (token, size, ct) =>
        {
            if (versionId is null)
            {
                var model = await client.FindModelAsync(modelName, "ModelArtifacts.List", ct).ConfigureAwait(false);
                versionId = (await client.FindVersionAsync(model, version, "ModelArtifacts.List", ct).ConfigureAwait(false)).Id!;
            }
            var page = await api.Versions.ListArtifactsAsync(versionId, limits.ClampPageSize(size), MrListOrder.OrderBy, MrListOrder.SortOrder, KfpMapping.NullIfEmpty(token), ct).ConfigureAwait(false);
            return new MlopsPage<KubeflowModelArtifact>(
                (page.Items ?? []).Where(ModelRegistryMapping.IsModelArtifact).Select(ToArtifact).ToList(),
                KfpMapping.NullIfEmpty(page.NextPageToken));
        }, limits.ClampPageSize(pageSize), cancellationToken);
    }

    /// <summary>Gets a model artifact by id (<c>GET /model_artifacts/{id}</c>), whatever its state.</summary>
    /// <param name="artifactId">The artifact id (a string of digits on the real server).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MlopsNotFoundException">No model artifact has this id.</exception>
    public Task<KubeflowModelArtifact> GetAsync(string artifactId, CancellationToken cancellationToken = default)
        => _backend.RegistryOperations.RunAsync("ModelArtifacts.Get", () => GetCoreAsync(artifactId, cancellationToken));

    private async Task<KubeflowModelArtifact> GetCoreAsync(string artifactId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(artifactId);
        var (_, api) = Registry("ModelArtifacts.Get");
        return ToArtifact(await api.Artifacts.GetAsync(artifactId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Updates the members set in <paramref name="update"/> with one <c>PATCH /model_artifacts/{id}</c> (retried:
    /// setting the same values again is harmless). Custom property changes are a read-modify-write — the artifact
    /// is read first and the whole map sent, so the last writer wins.
    /// </summary>
    /// <param name="artifactId">The artifact id.</param>
    /// <param name="update">The members to change; null members stay as they are.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The artifact as the registry returns it after the update.</returns>
    /// <exception cref="MlopsValidationException">Nothing to change, or an unknown state (checked before sending).</exception>
    /// <exception cref="MlopsNotFoundException">No model artifact has this id.</exception>
    public Task<KubeflowModelArtifact> UpdateAsync(string artifactId, KubeflowModelArtifactUpdate update, CancellationToken cancellationToken = default)
        => _backend.RegistryOperations.RunAsync("ModelArtifacts.Update", () => UpdateCoreAsync(artifactId, update, cancellationToken));

    private async Task<KubeflowModelArtifact> UpdateCoreAsync(string artifactId, KubeflowModelArtifactUpdate update, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(artifactId);
        ArgumentNullException.ThrowIfNull(update);
        var (_, api) = Registry("ModelArtifacts.Update");
        if (update is { Uri: null, State: null, Description: null, ModelFormatName: null, ModelFormatVersion: null, StorageKey: null, StoragePath: null, ServiceAccountName: null, CustomProperties: null })
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, "ModelArtifacts.Update: set at least one member to change.", _backend.Context);
        }
        if (update.State is { } state && !States.Contains(state, StringComparer.Ordinal))
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation,
                $"ModelArtifacts.Update: State must be one of {string.Join(", ", States)} (got '{state}').", _backend.Context);
        }
        Dictionary<string, MrMetadataValue>? properties = null;
        if (update.CustomProperties is { } changes)
        {
            var current = await api.Artifacts.GetAsync(artifactId, cancellationToken).ConfigureAwait(false);
            properties = ModelRegistryMapping.WithChanges(current.CustomProperties, changes);
        }
        var patched = await api.Artifacts.UpdateAsync(artifactId, new MrModelArtifact
        {
            Uri = update.Uri,
            State = update.State,
            Description = update.Description,
            ModelFormatName = update.ModelFormatName,
            ModelFormatVersion = update.ModelFormatVersion,
            StorageKey = update.StorageKey,
            StoragePath = update.StoragePath,
            ServiceAccountName = update.ServiceAccountName,
            CustomProperties = properties,
        }, cancellationToken).ConfigureAwait(false);
        return ToArtifact(patched);
    }

    private (KubeflowModelRegistryClient Client, ModelRegistryApi Api) Registry(string operation)
        => _backend.Models is KubeflowModelRegistryClient client && _backend.Registry is { } api
            ? (client, api)
            : throw MlopsErrors.Create(MlopsErrorKind.NotSupported,
                $"{operation}: backend '{_backend.Name}' has no Model Registry. Set Mlops:Backends:{_backend.Name}:Endpoints:ModelRegistry:BaseUrl to use it.",
                _backend.Context);

    private KubeflowModelArtifact ToArtifact(MrModelArtifact a) => new()
    {
        Backend = _backend.Name,
        Id = a.Id ?? "",
        Name = a.Name ?? "",
        Uri = KfpMapping.NullIfEmpty(a.Uri),
        State = KfpMapping.NullIfEmpty(a.State),
        Description = KfpMapping.NullIfEmpty(a.Description),
        ModelFormatName = KfpMapping.NullIfEmpty(a.ModelFormatName),
        ModelFormatVersion = KfpMapping.NullIfEmpty(a.ModelFormatVersion),
        StorageKey = KfpMapping.NullIfEmpty(a.StorageKey),
        StoragePath = KfpMapping.NullIfEmpty(a.StoragePath),
        ServiceAccountName = KfpMapping.NullIfEmpty(a.ServiceAccountName),
        CustomProperties = ModelRegistryMapping.Tags(a.CustomProperties),
        CreatedAt = EpochTime.FromMilliseconds(a.CreateTimeSinceEpoch),
        UpdatedAt = EpochTime.FromMilliseconds(a.LastUpdateTimeSinceEpoch),
        Native = JsonSerializer.SerializeToElement(a, ModelRegistryJsonContext.Default.MrModelArtifact),
    };
}

/// <summary>A Model Registry model artifact as the gateway reads it (the original, source fields included, in <see cref="Native"/>).</summary>
public sealed record KubeflowModelArtifact
{
    /// <summary>The configured backend name this artifact came from.</summary>
    public required string Backend { get; init; }

    /// <summary>The artifact id (a string; pass it to Get and Update).</summary>
    public required string Id { get; init; }

    /// <summary>The artifact name (the gateway names a version's artifact after its model).</summary>
    public required string Name { get; init; }

    /// <summary>Where the model's files are; what <see cref="ModelVersion.Source"/> shows.</summary>
    public string? Uri { get; init; }

    /// <summary>The registry's artifact state (<c>LIVE</c>, <c>PENDING</c>, <c>DELETED</c>…), verbatim.</summary>
    public string? State { get; init; }

    /// <summary>Free text, when set.</summary>
    public string? Description { get; init; }

    /// <summary>The model format, e.g. <c>onnx</c> or <c>sklearn</c> (KServe's runtime selection reads it).</summary>
    public string? ModelFormatName { get; init; }

    /// <summary>The model format's version, e.g. <c>1</c>.</summary>
    public string? ModelFormatVersion { get; init; }

    /// <summary>The name of the storage secret (data connection) that grants access to the files.</summary>
    public string? StorageKey { get; init; }

    /// <summary>The path of the model inside the storage <see cref="StorageKey"/> points at.</summary>
    public string? StoragePath { get; init; }

    /// <summary>The service account that carries the storage secret, when set.</summary>
    public string? ServiceAccountName { get; init; }

    /// <summary>Custom properties as strings (string values verbatim; int, double and bool invariant; other types only in <see cref="Native"/>).</summary>
    public IReadOnlyDictionary<string, string> CustomProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The artifact exactly as the registry returned it.</summary>
    public JsonElement? Native { get; init; }
}

/// <summary>What to change on a model artifact: every null member stays as it is; at least one must be set.</summary>
public sealed record KubeflowModelArtifactUpdate
{
    /// <summary>A new location of the model's files.</summary>
    public string? Uri { get; init; }

    /// <summary>A new state: <c>UNKNOWN</c>, <c>PENDING</c>, <c>LIVE</c>, <c>MARKED_FOR_DELETION</c>, <c>DELETED</c>, <c>ABANDONED</c> or <c>REFERENCE</c> (checked before sending).</summary>
    public string? State { get; init; }

    /// <summary>New free text.</summary>
    public string? Description { get; init; }

    /// <summary>A new model format name.</summary>
    public string? ModelFormatName { get; init; }

    /// <summary>A new model format version.</summary>
    public string? ModelFormatVersion { get; init; }

    /// <summary>A new storage secret name.</summary>
    public string? StorageKey { get; init; }

    /// <summary>A new path inside that storage.</summary>
    public string? StoragePath { get; init; }

    /// <summary>A new service account name.</summary>
    public string? ServiceAccountName { get; init; }

    /// <summary>
    /// Custom property changes: a value is written as a string property, null removes the key, keys not listed
    /// keep their value and type. Costs one extra GET (read-modify-write; the last writer wins).
    /// </summary>
    public IReadOnlyDictionary<string, string?>? CustomProperties { get; init; }
}
