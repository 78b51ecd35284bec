using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// KFP pipelines and versions (list, get, get by name, delete, upload a compiled IR YAML, upload a version),
/// triggering runs from a stored pipeline version, and a run's task details as <see cref="TaskRun"/>s.
/// </summary>
internal sealed class KubeflowPipelineClient(KubeflowBackend backend) : PipelineClientBase(backend)
{
    private IKfpPipelinesApi Api => backend.PipelinesApi;

    protected override string NotSupportedHint
        => "Kubeflow Pipelines has no pause/resume of a pipeline or task logs through its API: disable a recurring run with KubeflowSchedules (GetService) instead.";

    public override MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new PipelineQuery();
        var filter = string.IsNullOrEmpty(query.NameContains)
            ? null
            : KfpFilters.ToJson([KfpFilters.Substring("name", query.NameContains)]);
        var pageable = MlopsPageable<Pipeline>.Create(async (token, size, ct) =>
        {
            var page = await Api.ListAsync(backend.Namespace, KfpMapping.NullIfEmpty(token), Limits.ClampPageSize(size), "created_at desc", filter, ct).ConfigureAwait(false);
            return new MlopsPage<Pipeline>(
                (page.Pipelines ?? []).Select(p => KfpMapping.ToPipeline(p, Backend.Name)).ToList(),
                KfpMapping.NullIfEmpty(page.NextPageToken));
        }, Limits.ClampPageSize(query.PageSize), cancellationToken);
        var tags = query.Tags;
        return tags.Count == 0 ? pageable : pageable.Where(p => tags.All(p.Tags.ContainsKey));
    }

    public override async Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(pipelineId);
        return KfpMapping.ToPipeline(await Api.GetAsync(pipelineId, cancellationToken).ConfigureAwait(false), Backend.Name);
    }

    /// <summary><c>GET /pipelines/names/{name}</c> in the configured namespace (shared pipelines when none).</summary>
    public override async Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(name);
        return KfpMapping.ToPipeline(await Api.GetByNameAsync(name, backend.Namespace, cancellationToken).ConfigureAwait(false), Backend.Name);
    }

    /// <summary>Deletes the pipeline with <c>cascade=true</c>, so its versions go too (without it KFP refuses while versions exist).</summary>
    public override Task DeleteAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(pipelineId);
        return Api.DeleteAsync(pipelineId, cancellationToken);
    }

    public override MlopsPageable<PipelineVersion> ListVersionsAsync(string pipelineId, PipelineVersionQuery? query = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(pipelineId);
        return MlopsPageable<PipelineVersion>.Create(async (token, size, ct) =>
        {
            var page = await Api.ListVersionsAsync(pipelineId, KfpMapping.NullIfEmpty(token), Limits.ClampPageSize(size), "created_at desc", ct).ConfigureAwait(false);
            return new MlopsPage<PipelineVersion>(
                (page.PipelineVersions ?? []).Select(v => KfpMapping.ToPipelineVersion(v, Backend.Name)).ToList(),
                KfpMapping.NullIfEmpty(page.NextPageToken));
        }, Limits.ClampPageSize(query?.PageSize), cancellationToken);
    }

    public override async Task<PipelineVersion> GetVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(pipelineId);
        MlopsGuard.NotBlank(versionId);
        return KfpMapping.ToPipelineVersion(await Api.GetVersionAsync(pipelineId, versionId, cancellationToken).ConfigureAwait(false), Backend.Name);
    }

    public override Task DeleteVersionAsync(string pipelineId, string versionId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(pipelineId);
        MlopsGuard.NotBlank(versionId);
        return Api.DeleteVersionAsync(pipelineId, versionId, cancellationToken);
    }

    /// <summary>Uploads a compiled pipeline (IR YAML/JSON, or .zip/.tar.gz) as a new pipeline with its first version; never retried.</summary>
    public override async Task<Pipeline> UploadAsync(PipelineUpload upload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        MlopsGuard.NotBlank(upload.Name);
        var created = await Api.UploadAsync(upload.Name, upload.Name, upload.Description, backend.Namespace, UploadFile(upload), cancellationToken).ConfigureAwait(false);
        return KfpMapping.ToPipeline(created, Backend.Name);
    }

    /// <summary>Uploads a new version of an existing pipeline; never retried.</summary>
    public override async Task<PipelineVersion> UploadVersionAsync(string pipelineId, PipelineUpload upload, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(pipelineId);
        ArgumentNullException.ThrowIfNull(upload);
        MlopsGuard.NotBlank(upload.Name);
        var created = await Api.UploadVersionAsync(upload.Name, upload.Name, pipelineId, upload.Description, UploadFile(upload), cancellationToken).ConfigureAwait(false);
        return KfpMapping.ToPipelineVersion(created, Backend.Name);
    }

    /// <summary>
    /// Creates a run from <c>pipeline_version_reference</c>; without <see cref="TriggerOptions.VersionId"/> only the
    /// pipeline id is sent and KFP runs its latest version. Parameters go to <c>runtime_config.parameters</c> as any
    /// JSON. KFP assigns run ids, so the create is never retried once sent (a replay would start a second run).
    /// </summary>
    public override async Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(pipelineId);
        options ??= new TriggerOptions();
        if (options.RunId is not null)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation,
                "Pipelines.Trigger: Kubeflow Pipelines assigns run ids itself; leave TriggerOptions.RunId unset (the create is never retried, so no duplicate run is started).", Context);
        }
        if (options.LogicalDate is not null)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation,
                "Pipelines.Trigger: Kubeflow Pipelines runs have no logical date; leave TriggerOptions.LogicalDate unset.", Context);
        }
        var body = new KfpRun
        {
            DisplayName = options.RunName ?? $"{pipelineId} {Context.TimeProvider.GetUtcNow():yyyy-MM-dd HH:mm:ss}",
            Description = options.Note,
            ExperimentId = options.ExperimentId,
            PipelineVersionReference = new KfpPipelineVersionReference { PipelineId = pipelineId, PipelineVersionId = options.VersionId },
            RuntimeConfig = options.Parameters is null ? null : new KfpRuntimeConfig { Parameters = options.Parameters.DeepClone().AsObject() },
        };
        var created = await backend.RunsApi.CreateAsync(body, cancellationToken).ConfigureAwait(false);
        return KfpMapping.ToRun(created, Backend.Name);
    }

    /// <summary>The run's <c>run_details.task_details</c> (one GET of the run), as one page.</summary>
    public override MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        return MlopsPageable<TaskRun>.Create(async (_, _, ct) =>
        {
            var got = await backend.RunsApi.GetAsync(run.Id, ct).ConfigureAwait(false);
            var tasks = (got.RunDetails?.TaskDetails ?? []).Select(t => KfpMapping.ToTaskRun(t, run.Id, Backend.Name)).ToList();
            return new MlopsPage<TaskRun>(tasks, null);
        }, 1, cancellationToken);
    }

    /// <summary>KFP's upload handlers read the file from the multipart part <c>uploadfile</c>; it is streamed, never buffered.</summary>
    private static MultipartFormDataContent UploadFile(PipelineUpload upload) => MultipartBodies.StreamedFile("uploadfile", upload.FileName, upload.Content);

    private BackendLimits Limits => Backend.Capabilities.Limits;
}
