using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Tests.Support;

/// <summary>The test server's REST API as a Refit interface, one endpoint per kind of request the plumbing must handle.</summary>
internal interface ITestApi
{
    [Get("/version")]
    [Anonymous]
    Task<string> GetVersionAsync(CancellationToken ct);

    [Get("/experiments/by-name")]
    Task<WireExperiment> GetExperimentByNameAsync(string name, CancellationToken ct);

    [Post("/experiments")]
    [NotRetryable("a second request would create a second experiment")]
    Task<WireExperiment> CreateExperimentAsync([Body] WireExperiment body, CancellationToken ct);

    [Post("/runs")]
    [NotRetryable("a second request would create a second run")]
    Task<WireRun> CreateRunAsync([Body] WireRun body, CancellationToken ct);

    [Get("/runs/{id}")]
    Task<WireRun> GetRunAsync(string id, CancellationToken ct);

    [Get("/runs")]
    Task<WirePage> ListRunsAsync([AliasAs("page_token")] string? pageToken, int size, CancellationToken ct);

    [Post("/runs/{id}/log")]
    [Idempotent("re-logging the same values is harmless on this server")]
    Task LogAsync(string id, [Body] WireBatch body, CancellationToken ct);

    [Post("/runs/{id}/end")]
    [Idempotent("ending with the same status twice changes nothing")]
    Task<WireRun> EndAsync(string id, string status, CancellationToken ct);

    [Delete("/runs/{id}")]
    Task DeleteAsync(string id, CancellationToken ct);

    [Put("/runs/{id}/artifacts/{path}")]
    Task UploadAsync(string id, string path, [Body] HttpContent content, CancellationToken ct);

    [Get("/runs/{id}/artifacts/{path}")]
    [PermanentStatus(500)]
    Task<Stream> DownloadAsync(string id, string path, CancellationToken ct);

    [Get("/runs/{id}/tasks/{task}/log")]
    Task<string> GetTaskLogAsync(string id, string task, int chunk, CancellationToken ct);

    [Get("/runs/{id}/artifacts")]
    Task<WireArtifactPage> ListArtifactsAsync(string id, [AliasAs("page_token")] string? pageToken, CancellationToken ct);

    [Post("/pipelines/{id}/trigger")]
    Task<WireRun> TriggerAsync(string id, [Body] WireTrigger body, CancellationToken ct);
}

/// <summary>
/// A minimal HTTP backend for the core's tests, built like an adapter: a Refit interface created with
/// <see cref="BackendApi"/>, an error parser, and sub-clients mapping wire records to the domain model.
/// </summary>
internal sealed class TestHttpBackend : MlopsBackendBase
{
    public const string TypeName = "TestHttp";

    public TestHttpBackend(BackendContext context) : base(context)
    {
        Api = BackendApi.Create<ITestApi>(context, TestJsonContext.Default, new TestErrorParser());
        Runs = new TestRunClient(this);
        Pipelines = new TestPipelineClient(this);
        Models = new UnsupportedModelRegistryClient(this, "Route Models to a registry backend.");
    }

    public ITestApi Api { get; }
    public override string Kind => "TestHttp";
    public override BackendCapabilities Capabilities { get; } = BackendCapabilities.Create(new Dictionary<MlopsCapability, CapabilitySupport>
    {
        [MlopsCapability.RunRead] = CapabilitySupport.Native,
        [MlopsCapability.RunTracking] = CapabilitySupport.Native,
        [MlopsCapability.Experiments] = CapabilitySupport.Native,
        [MlopsCapability.Params] = CapabilitySupport.Native,
        [MlopsCapability.Metrics] = CapabilitySupport.Native,
        [MlopsCapability.RunTags] = CapabilitySupport.Native,
        [MlopsCapability.RunDelete] = CapabilitySupport.Native,
        [MlopsCapability.Artifacts] = CapabilitySupport.Native,
        [MlopsCapability.Pipelines] = CapabilitySupport.Native,
        [MlopsCapability.PipelineTrigger] = CapabilitySupport.Native,
    }, new BackendLimits { MaxMetricsPerBatch = 1000, MaxParamsPerBatch = 100, MaxTagsPerBatch = 100, MaxEntitiesPerBatch = 1000, MaxKeyLength = 250, MaxParamValueLength = 6000, MaxTagValueLength = 8000, DefaultPageSize = 2, MaxPageSize = 10 });
    public override IRunClient Runs { get; }
    public override IPipelineClient Pipelines { get; }
    public override IModelRegistryClient Models { get; }

    public override async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return BackendHealth.Healthy("version answered", await Api.GetVersionAsync(cancellationToken));
        }
        catch (MlopsException ex)
        {
            return BackendHealth.Unhealthy(ex.Message);
        }
    }

    internal Run Map(WireRun wire) => new()
    {
        Backend = Name,
        Id = wire.Id,
        Name = wire.Name,
        Status = wire.Status switch { "done" => RunStatus.Succeeded, "failed" => RunStatus.Failed, "queued" => RunStatus.Queued, _ => RunStatus.Running },
        RawStatus = wire.Status,
        ExperimentId = wire.ExperimentId,
    };

    private sealed class TestErrorParser : IBackendErrorParser
    {
        public BackendError Parse(HttpStatusCode status, string? contentType, string body)
        {
            if (contentType != "application/json" || body.Length == 0)
            {
                return new BackendError(null, null);
            }
            var error = JsonSerializer.Deserialize(body, TestJsonContext.Default.WireError);
            return new BackendError(error?.Code, error?.Message, error?.Code == "ALREADY_EXISTS" ? MlopsErrorKind.Conflict : null);
        }
    }
}

internal sealed class TestRunClient(TestHttpBackend backend) : RunClientBase(backend)
{
    private ITestApi Api => backend.Api;

    public override async Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        var wire = await Api.GetExperimentByNameAsync(name, cancellationToken);
        return new Experiment { Backend = backend.Name, Id = wire.Id, Name = wire.Name, State = wire.Deleted ? LifecycleState.Deleted : LifecycleState.Active };
    }

    public override async Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        var wire = await Api.CreateExperimentAsync(new WireExperiment { Id = "", Name = name }, cancellationToken);
        return new Experiment { Backend = backend.Name, Id = wire.Id, Name = wire.Name };
    }

    public override async Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
        => backend.Map(await Api.CreateRunAsync(new WireRun { Id = "", Name = options?.Name, ExperimentId = experimentId }, cancellationToken));

    public override async Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
        => backend.Map(await Api.GetRunAsync(run.Id, cancellationToken));

    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
        => MlopsPageable<Run>.Create(async (token, size, ct) =>
        {
            var page = await Api.ListRunsAsync(token, size, ct);
            return new MlopsPage<Run>(page.Runs.Select(backend.Map).ToList(), page.NextPageToken);
        }, backend.Capabilities.Limits.ClampPageSize(query?.PageSize), cancellationToken);

    public override async Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
    {
        foreach (var part in RunLogBatchSplitter.Split(batch, backend.Capabilities.Limits))
        {
            await Api.LogAsync(run.Id, new WireBatch
            {
                Params = part.Params.Select(p => new WireKeyValue(p.Key, p.Value)).ToList(),
                Tags = part.Tags.Select(p => new WireKeyValue(p.Key, p.Value)).ToList(),
                Metrics = part.Metrics.Select(m => new WireMetric(m.Key, m.Value, m.Step)).ToList(),
            }, cancellationToken);
        }
    }

    public override async Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
        => backend.Map(await Api.EndAsync(run.Id, status.ToString(), cancellationToken));

    public override Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default)
        => Api.DeleteAsync(run.Id, cancellationToken);

    public override Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default)
        => Api.UploadAsync(run.Id, path, new StreamContent(content), cancellationToken);

    public override Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default)
        => Api.DownloadAsync(run.Id, path, cancellationToken);

    /// <summary>An adapter-defined listing (not a page-fetch delegate): one request per page, inside its own enumeration.</summary>
    public override MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default)
        => new ArtifactPages(backend, run.Id, cancellationToken);
}

internal sealed class TestPipelineClient(TestHttpBackend backend) : PipelineClientBase(backend)
{
    /// <summary>Follows a task's log like a tailing adapter: one request per chunk until the server sends an empty one.</summary>
    public override async IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var chunk = 0; ; chunk++)
        {
            var text = await backend.Api.GetTaskLogAsync(run.Id, taskId, chunk, cancellationToken);
            if (text.Length == 0)
            {
                yield break;
            }
            yield return text;
        }
    }

    public override async Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default)
        => backend.Map(await backend.Api.TriggerAsync(pipelineId, new WireTrigger(), cancellationToken));
}

/// <summary>A listing that walks server pages itself, like the adapters' re-chunking and streaming pageables.</summary>
internal sealed class ArtifactPages(TestHttpBackend backend, string runId, CancellationToken cancellationToken) : MlopsPageable<ArtifactInfo>(cancellationToken)
{
    public override async IAsyncEnumerable<MlopsPage<ArtifactInfo>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        var token = continuationToken;
        do
        {
            var page = await backend.Api.ListArtifactsAsync(runId, token, CancellationToken);
            yield return new MlopsPage<ArtifactInfo>(page.Paths.Select(p => new ArtifactInfo(p, IsDirectory: false)).ToList(), page.NextPageToken);
            token = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (token is not null);
    }
}

internal sealed record WireRun
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public string? Status { get; init; }
    public string? ExperimentId { get; init; }
}

internal sealed record WireExperiment
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public bool Deleted { get; init; }
}

internal sealed record WirePage(List<WireRun> Runs, string? NextPageToken);
internal sealed record WireArtifactPage(List<string> Paths, string? NextPageToken);
internal sealed record WireTrigger;
internal sealed record WireError(string? Code, string? Message);
internal sealed record WireKeyValue(string Key, string Value);
internal sealed record WireMetric(string Key, double Value, long Step);

internal sealed record WireBatch
{
    public List<WireKeyValue> Params { get; init; } = [];
    public List<WireKeyValue> Tags { get; init; } = [];
    public List<WireMetric> Metrics { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(WireRun))]
[JsonSerializable(typeof(WireExperiment))]
[JsonSerializable(typeof(WirePage))]
[JsonSerializable(typeof(WireError))]
[JsonSerializable(typeof(WireArtifactPage))]
[JsonSerializable(typeof(WireBatch))]
[JsonSerializable(typeof(WireTrigger))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
