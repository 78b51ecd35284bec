using System.Globalization;
using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// Models on the Kubeflow Model Registry (DESIGN.md §2): the API has no DELETE, so Delete archives
/// (<c>state=ARCHIVED</c>) and Get/List treat archived objects as gone while their names stay reserved; aliases
/// are one JSON map in the registered model's custom properties (one PATCH, last writer wins); version numbers
/// are strings the gateway assigns as the next integer, retrying on Conflict; a version is a model version plus
/// its model artifact (the source URI): two calls, the version archived again if the second fails — not atomic.
/// No stages, no files.
/// </summary>
internal sealed class KubeflowModelRegistryClient(KubeflowBackend backend, ModelRegistryApi api) : ModelRegistryClientBase(backend)
{
    private const int MaxVersionNumberAttempts = 5;

    protected override string NotSupportedHint
        => "The Kubeflow Model Registry has no stages (use aliases), no renames (names are fixed once set) and no file access (read ModelVersion.Source from your storage).";

    // ---- registered models --------------------------------------------------------------------------

    public override async Task<RegisteredModel> CreateModelAsync(string name, ModelCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(name);
        var created = await api.Models.CreateAsync(new MrRegisteredModel
        {
            Name = name,
            Description = options?.Description,
            State = ModelRegistryMapping.Live,
            CustomProperties = options?.Tags is { Count: > 0 } tags ? ModelRegistryMapping.ToProperties(tags) : null,
        }, cancellationToken).ConfigureAwait(false);
        return ModelRegistryMapping.ToModel(created, Backend.Name);
    }

    public override async Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default)
        => ModelRegistryMapping.ToModel(await FindModelAsync(name, "GetModel", cancellationToken).ConfigureAwait(false), Backend.Name);

    public override MlopsPageable<RegisteredModel> ListModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ModelQuery();
        var limits = Backend.Capabilities.Limits;
        var pageable = MlopsPageable<RegisteredModel>.Create(async (token, size, ct) =>
        {
            var page = await api.Models.ListAsync(limits.ClampPageSize(size), MrListOrder.OrderBy, MrListOrder.SortOrder, KfpMapping.NullIfEmpty(token), ct).ConfigureAwait(false);
            return new MlopsPage<RegisteredModel>(
                (page.Items ?? []).Where(m => m.State != ModelRegistryMapping.Archived).Select(m => ModelRegistryMapping.ToModel(m, Backend.Name)).ToList(),
                KfpMapping.NullIfEmpty(page.NextPageToken));
        }, limits.ClampPageSize(query.PageSize), cancellationToken);
        var nameContains = query.NameContains;
        var tags = query.Tags;
        if (string.IsNullOrEmpty(nameContains) && tags is not { Count: > 0 })
        {
            return pageable;
        }
        return pageable.Where(m =>
            (string.IsNullOrEmpty(nameContains) || m.Name.Contains(nameContains, StringComparison.OrdinalIgnoreCase))
            && (tags is null || tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)));
    }

    public override async Task<RegisteredModel> UpdateModelAsync(string name, ModelUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var model = await FindModelAsync(name, "UpdateModel", cancellationToken).ConfigureAwait(false);
        var patched = await api.Models.UpdateAsync(model.Id!, new MrRegisteredModel { Description = update.Description }, cancellationToken).ConfigureAwait(false);
        return ModelRegistryMapping.ToModel(patched, Backend.Name);
    }

    /// <summary>Archives the registered model (<c>state=ARCHIVED</c>); its name stays reserved.</summary>
    public override async Task DeleteModelAsync(string name, CancellationToken cancellationToken = default)
    {
        var model = await FindModelAsync(name, "DeleteModel", cancellationToken).ConfigureAwait(false);
        await api.Models.UpdateAsync(model.Id!, new MrRegisteredModel { State = ModelRegistryMapping.Archived }, cancellationToken).ConfigureAwait(false);
    }

    public override Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(key);
        ArgumentNullException.ThrowIfNull(value);
        return EditModelPropertiesAsync(name, "SetModelTag", new Dictionary<string, string?> { [key] = value }, cancellationToken);
    }

    public override Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(key);
        return EditModelPropertiesAsync(name, "DeleteModelTag", new Dictionary<string, string?> { [key] = null }, cancellationToken);
    }

    // ---- versions -----------------------------------------------------------------------------------

    public override async Task<ModelVersion> CreateVersionAsync(string modelName, ModelVersionCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        MlopsGuard.NotBlank(options.Source);
        var model = await FindModelAsync(modelName, "CreateVersion", cancellationToken).ConfigureAwait(false);
        var version = await CreateNumberedVersionAsync(model, options, cancellationToken).ConfigureAwait(false);
        MrModelArtifact artifact;
        try
        {
            artifact = await api.Versions.AddArtifactAsync(version.Id!, new MrModelArtifact
            {
                ArtifactType = "model-artifact",
                Name = model.Name,
                Uri = options.Source,
                ModelSourceKind = options.Run is null ? null : "kfp",
                ModelSourceClass = options.Run is null ? null : "pipelinerun",
                ModelSourceId = options.Run?.Id,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsException)
        {
            // Not atomic: the half-made version is archived so Get/List never show it; the number stays used.
            try
            {
                await api.Versions.UpdateAsync(version.Id!, new MrModelVersion { State = ModelRegistryMapping.Archived }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (MlopsException)
            {
                // Best effort: the original failure is the one to report.
            }
            throw;
        }
        return ModelRegistryMapping.ToVersion(model, version, artifact, Backend.Name);
    }

    public override async Task<ModelVersion> GetVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        var model = await FindModelAsync(modelName, "GetVersion", cancellationToken).ConfigureAwait(false);
        var found = await FindVersionAsync(model, version, "GetVersion", cancellationToken).ConfigureAwait(false);
        return await ToVersionAsync(model, found, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists live versions in id order; each version's model artifact is read for its source URI and run.</summary>
    public override MlopsPageable<ModelVersion> ListVersionsAsync(string modelName, ModelVersionQuery? query = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(modelName);
        query ??= new ModelVersionQuery();
        var limits = Backend.Capabilities.Limits;
        var pageable = MlopsPageable<ModelVersion>.Create(async (token, size, ct) =>
        {
            var model = await FindModelAsync(modelName, "ListVersions", ct).ConfigureAwait(false);
            var page = await api.Models.ListVersionsAsync(model.Id!, limits.ClampPageSize(size), MrListOrder.OrderBy, MrListOrder.SortOrder, KfpMapping.NullIfEmpty(token), ct).ConfigureAwait(false);
            var versions = new List<ModelVersion>();
            foreach (var v in page.Items ?? [])
            {
                if (v.State != ModelRegistryMapping.Archived)
                {
                    versions.Add(await ToVersionAsync(model, v, ct).ConfigureAwait(false));
                }
            }
            return new MlopsPage<ModelVersion>(versions, KfpMapping.NullIfEmpty(page.NextPageToken));
        }, limits.ClampPageSize(query.PageSize), cancellationToken);
        var runId = query.RunId;
        var tags = query.Tags;
        if (runId is null && tags is not { Count: > 0 })
        {
            return pageable;
        }
        return pageable.Where(v =>
            (runId is null || v.RunId == runId)
            && (tags is null || tags.All(t => v.Tags.TryGetValue(t.Key, out var value) && value == t.Value)));
    }

    public override async Task<ModelVersion> UpdateVersionAsync(string modelName, string version, ModelUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var model = await FindModelAsync(modelName, "UpdateVersion", cancellationToken).ConfigureAwait(false);
        var found = await FindVersionAsync(model, version, "UpdateVersion", cancellationToken).ConfigureAwait(false);
        var patched = await api.Versions.UpdateAsync(found.Id!, new MrModelVersion { Description = update.Description }, cancellationToken).ConfigureAwait(false);
        return await ToVersionAsync(model, patched, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Archives the version and drops any alias pointing at it (the version number stays used).</summary>
    public override async Task DeleteVersionAsync(string modelName, string version, CancellationToken cancellationToken = default)
    {
        var model = await FindModelAsync(modelName, "DeleteVersion", cancellationToken).ConfigureAwait(false);
        var found = await FindVersionAsync(model, version, "DeleteVersion", cancellationToken).ConfigureAwait(false);
        await api.Versions.UpdateAsync(found.Id!, new MrModelVersion { State = ModelRegistryMapping.Archived }, cancellationToken).ConfigureAwait(false);
        var aliases = ModelRegistryMapping.Aliases(model);
        if (found.Name is not null && aliases.ContainsValue(found.Name))
        {
            var kept = aliases.Where(a => a.Value != found.Name).ToDictionary();
            await PatchAliasesAsync(model, kept, cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task SetVersionTagAsync(string modelName, string version, string key, string value, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(key);
        ArgumentNullException.ThrowIfNull(value);
        return EditVersionPropertiesAsync(modelName, version, "SetVersionTag", new Dictionary<string, string?> { [key] = value }, cancellationToken);
    }

    public override Task DeleteVersionTagAsync(string modelName, string version, string key, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(key);
        return EditVersionPropertiesAsync(modelName, version, "DeleteVersionTag", new Dictionary<string, string?> { [key] = null }, cancellationToken);
    }

    // ---- aliases ------------------------------------------------------------------------------------

    public override async Task SetAliasAsync(string modelName, string alias, string version, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(alias);
        var model = await FindModelAsync(modelName, "SetAlias", cancellationToken).ConfigureAwait(false);
        var found = await FindVersionAsync(model, version, "SetAlias", cancellationToken).ConfigureAwait(false);
        var aliases = ModelRegistryMapping.Aliases(model);
        aliases[alias] = found.Name!;
        await PatchAliasesAsync(model, aliases, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the alias; removing one that is not set is a no-op.</summary>
    public override async Task DeleteAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(alias);
        var model = await FindModelAsync(modelName, "DeleteAlias", cancellationToken).ConfigureAwait(false);
        var aliases = ModelRegistryMapping.Aliases(model);
        if (aliases.Remove(alias))
        {
            await PatchAliasesAsync(model, aliases, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<ModelVersion> GetVersionByAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(alias);
        var model = await FindModelAsync(modelName, "GetVersionByAlias", cancellationToken).ConfigureAwait(false);
        if (!ModelRegistryMapping.Aliases(model).TryGetValue(alias, out var version))
        {
            throw MlopsErrors.Create(MlopsErrorKind.NotFound, $"Models.GetVersionByAlias: model '{modelName}' has no alias '{alias}'.", Context, 404);
        }
        var found = await FindVersionAsync(model, version, "GetVersionByAlias", cancellationToken).ConfigureAwait(false);
        return await ToVersionAsync(model, found, cancellationToken).ConfigureAwait(false);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>The live registered model by name; archived reads as NotFound.</summary>
    internal async Task<MrRegisteredModel> FindModelAsync(string name, string operation, CancellationToken ct)
    {
        MlopsGuard.NotBlank(name);
        var model = await api.Models.FindByNameAsync(name, ct).ConfigureAwait(false);
        if (model.State == ModelRegistryMapping.Archived || model.Id is null)
        {
            throw MlopsErrors.Create(MlopsErrorKind.NotFound,
                $"Models.{operation}: registered model '{name}' is archived (deleted); its name stays reserved in the Kubeflow Model Registry.", Context, 404);
        }
        return model;
    }

    /// <summary>The live version by name under the model; archived reads as NotFound.</summary>
    internal async Task<MrModelVersion> FindVersionAsync(MrRegisteredModel model, string version, string operation, CancellationToken ct)
    {
        MlopsGuard.NotBlank(version);
        var found = await api.Versions.FindByNameAsync(version, model.Id!, ct).ConfigureAwait(false);
        if (found.State == ModelRegistryMapping.Archived || found.Id is null)
        {
            throw MlopsErrors.Create(MlopsErrorKind.NotFound,
                $"Models.{operation}: version '{version}' of model '{model.Name}' is archived (deleted).", Context, 404);
        }
        return found;
    }

    /// <summary>
    /// The version with its model artifact, found by name (the model's name, as this gateway names it) under the
    /// version; a version registered by another client falls back to listing its artifacts.
    /// </summary>
    private async Task<ModelVersion> ToVersionAsync(MrRegisteredModel model, MrModelVersion version, CancellationToken ct)
    {
        MrModelArtifact? artifact;
        try
        {
            artifact = await api.Artifacts.FindByNameAsync(model.Name!, version.Id!, ct).ConfigureAwait(false);
        }
        catch (MlopsNotFoundException)
        {
            var artifacts = await api.Versions.ListArtifactsAsync(version.Id!, 10, MrListOrder.OrderBy, MrListOrder.SortOrder, null, ct).ConfigureAwait(false);
            artifact = artifacts.Items?.FirstOrDefault(ModelRegistryMapping.IsModelArtifact);
        }
        return ModelRegistryMapping.ToVersion(model, version, artifact, Backend.Name);
    }

    /// <summary>Creates the version named max(existing integer names) + 1, moving on to the next number on Conflict.</summary>
    private async Task<MrModelVersion> CreateNumberedVersionAsync(MrRegisteredModel model, ModelVersionCreateOptions options, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var next = await HighestVersionNumberAsync(model.Id!, ct).ConfigureAwait(false) + 1;
            try
            {
                return await api.Versions.CreateAsync(new MrModelVersion
                {
                    Name = next.ToString(CultureInfo.InvariantCulture),
                    RegisteredModelId = model.Id,
                    Description = options.Description,
                    State = ModelRegistryMapping.Live,
                    CustomProperties = options.Tags is { Count: > 0 } tags ? ModelRegistryMapping.ToProperties(tags) : null,
                }, ct).ConfigureAwait(false);
            }
            catch (MlopsConflictException) when (attempt < MaxVersionNumberAttempts)
            {
                // Another writer took this number between our list and our create: recount and try the next.
            }
        }
    }

    private async Task<long> HighestVersionNumberAsync(string modelId, CancellationToken ct)
    {
        long highest = 0;
        string? token = null;
        do
        {
            var page = await api.Models.ListVersionsAsync(modelId, Backend.Capabilities.Limits.MaxPageSize, MrListOrder.OrderBy, MrListOrder.SortOrder, KfpMapping.NullIfEmpty(token), ct).ConfigureAwait(false);
            foreach (var v in page.Items ?? [])
            {
                if (long.TryParse(v.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > highest)
                {
                    highest = n;
                }
            }
            token = KfpMapping.NullIfEmpty(page.NextPageToken);
        }
        while (token is not null);
        return highest;
    }

    private async Task PatchAliasesAsync(MrRegisteredModel model, IReadOnlyDictionary<string, string> aliases, CancellationToken ct)
    {
        var properties = new Dictionary<string, MrMetadataValue>(model.CustomProperties ?? [], StringComparer.Ordinal)
        {
            [ModelRegistryMapping.AliasesKey] = ModelRegistryMapping.AliasValue(aliases),
        };
        await api.Models.UpdateAsync(model.Id!, new MrRegisteredModel { CustomProperties = properties }, ct).ConfigureAwait(false);
    }

    /// <summary>Read-modify-write of the model's custom properties, sent whole in one PATCH (last writer wins).</summary>
    private async Task EditModelPropertiesAsync(string name, string operation, IReadOnlyDictionary<string, string?> changes, CancellationToken ct)
    {
        var model = await FindModelAsync(name, operation, ct).ConfigureAwait(false);
        var properties = ModelRegistryMapping.WithChanges(model.CustomProperties, changes);
        await api.Models.UpdateAsync(model.Id!, new MrRegisteredModel { CustomProperties = properties }, ct).ConfigureAwait(false);
    }

    private async Task EditVersionPropertiesAsync(string modelName, string version, string operation, IReadOnlyDictionary<string, string?> changes, CancellationToken ct)
    {
        var model = await FindModelAsync(modelName, operation, ct).ConfigureAwait(false);
        var found = await FindVersionAsync(model, version, operation, ct).ConfigureAwait(false);
        var properties = ModelRegistryMapping.WithChanges(found.CustomProperties, changes);
        await api.Versions.UpdateAsync(found.Id!, new MrModelVersion { CustomProperties = properties }, ct).ConfigureAwait(false);
    }
}
