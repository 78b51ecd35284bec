using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// KFP v2beta1 pipelines and their versions. Routes are relative to the backend's <c>BaseUrl</c>, which carries any
/// dashboard prefix such as <c>/pipeline</c>. The two uploads are the plain-HTTP handlers: multipart with the file in
/// part <c>uploadfile</c> (<see cref="MultipartBodies.StreamedFile"/>) and the metadata in the query string; they
/// answer errors in the v1 shape <c>{error_message, error_details}</c>.
/// </summary>
/// <remarks>Body-less answers are <c>Task&lt;string&gt;</c>, unread, for the reason given on <see cref="IKfpRunsApi"/>.</remarks>
internal interface IKfpPipelinesApi
{
    [Get("/apis/v2beta1/pipelines")]
    Task<KfpListPipelinesResponse> ListAsync([AliasAs("namespace")] string? ns, [AliasAs("page_token")] string? pageToken,
        [AliasAs("page_size")] int pageSize, [AliasAs("sort_by")] string? sortBy, string? filter, CancellationToken ct);

    [Get("/apis/v2beta1/pipelines/{pipelineId}")]
    Task<KfpPipeline> GetAsync(PathSegment pipelineId, CancellationToken ct);

    /// <summary>In <paramref name="ns"/>, or among the shared pipelines when null.</summary>
    [Get("/apis/v2beta1/pipelines/names/{name}")]
    Task<KfpPipeline> GetByNameAsync(PathSegment name, [AliasAs("namespace")] string? ns, CancellationToken ct);

    /// <summary>Always cascades: without <c>cascade=true</c> KFP refuses to delete a pipeline that still has versions.</summary>
    [Delete("/apis/v2beta1/pipelines/{pipelineId}?cascade=true")]
    Task<string> DeleteAsync(PathSegment pipelineId, CancellationToken ct);

    [Post("/apis/v2beta1/pipelines/upload")]
    [NotRetryable("a second request would create a second pipeline (or fail on the name the first one took); the file is streamed once")]
    Task<KfpPipeline> UploadAsync(string name, [AliasAs("display_name")] string displayName, string? description,
        [AliasAs("namespace")] string? ns, [Body] HttpContent file, CancellationToken ct);

    /// <summary>Note the query key <c>pipelineid</c>, without the underscore the JSON API uses.</summary>
    [Post("/apis/v2beta1/pipelines/upload_version")]
    [NotRetryable("a second request would create a second version of the pipeline; the file is streamed once")]
    Task<KfpPipelineVersion> UploadVersionAsync(string name, [AliasAs("display_name")] string displayName,
        [AliasAs("pipelineid")] string pipelineId, string? description, [Body] HttpContent file, CancellationToken ct);

    [Get("/apis/v2beta1/pipelines/{pipelineId}/versions")]
    Task<KfpListPipelineVersionsResponse> ListVersionsAsync(PathSegment pipelineId, [AliasAs("page_token")] string? pageToken,
        [AliasAs("page_size")] int pageSize, [AliasAs("sort_by")] string? sortBy, CancellationToken ct);

    [Get("/apis/v2beta1/pipelines/{pipelineId}/versions/{versionId}")]
    Task<KfpPipelineVersion> GetVersionAsync(PathSegment pipelineId, PathSegment versionId, CancellationToken ct);

    [Delete("/apis/v2beta1/pipelines/{pipelineId}/versions/{versionId}")]
    Task<string> DeleteVersionAsync(PathSegment pipelineId, PathSegment versionId, CancellationToken ct);
}
