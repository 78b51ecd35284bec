using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlopsGateway.Http;

namespace MlopsGateway.Tests.Support;

/// <summary>
/// A minimal HTTP backend for the core's tests: one endpoint per kind of request the plumbing must
/// handle (idempotent GET, marked-idempotent POST, create POST, streamed upload, paged list, permanent 500).
/// </summary>
internal sealed class TestHttpBackend : MlopsBackendBase
{
    public const string TypeName = "TestHttp";

    public TestHttpBackend(BackendContext context) : base(context)
    {
        Http = new BackendHttp(context, new TestErrorParser());
        Runs = new TestRunClient(this);
        Pipelines = new TestPipelineClient(this);
        Models = new UnsupportedModelRegistryClient(this, "Route Models to a registry backend.");
    }

    public BackendHttp Http { get; }
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
            var version = await Http.SendForTextAsync(new HttpRequestMessage(HttpMethod.Get, "version"), cancellationToken);
            return BackendHealth.Healthy("version answered", version);
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
    private BackendHttp Http => backend.Http;

    public override async Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        var wire = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "experiments/by-name" + new QueryBuilder().Add("name", name)), TestJsonContext.Default.WireExperiment, cancellationToken);
        return new Experiment { Backend = backend.Name, Id = wire.Id, Name = wire.Name, State = wire.Deleted ? LifecycleState.Deleted : LifecycleState.Active };
    }

    public override async Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "experiments") { Content = JsonContent(new WireExperiment { Id = "", Name = name }) }.MarkNotRetryable();
        var wire = await Http.SendAsync(request, TestJsonContext.Default.WireExperiment, cancellationToken);
        return new Experiment { Backend = backend.Name, Id = wire.Id, Name = wire.Name };
    }

    public override async Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "runs") { Content = JsonContent(new WireRun { Id = "", Name = options?.Name, ExperimentId = experimentId }) }.MarkNotRetryable();
        return backend.Map(await Http.SendAsync(request, TestJsonContext.Default.WireRun, cancellationToken));
    }

    public override async Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
        => backend.Map(await Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, UrlPath.Combine("runs", run.Id)), TestJsonContext.Default.WireRun, cancellationToken));

    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
        => MlopsPageable<Run>.Create(async (token, size, ct) =>
        {
            var page = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "runs" + new QueryBuilder().Add("page_token", token).Add("size", size)), TestJsonContext.Default.WirePage, ct);
            return new MlopsPage<Run>(page.Runs.Select(backend.Map).ToList(), page.NextPageToken);
        }, backend.Capabilities.Limits.ClampPageSize(query?.PageSize), cancellationToken);

    public override async Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
    {
        foreach (var part in RunLogBatchSplitter.Split(batch, backend.Capabilities.Limits))
        {
            var wire = new WireBatch
            {
                Params = part.Params.Select(p => new WireKeyValue(p.Key, p.Value)).ToList(),
                Tags = part.Tags.Select(p => new WireKeyValue(p.Key, p.Value)).ToList(),
                Metrics = part.Metrics.Select(m => new WireMetric(m.Key, m.Value, m.Step)).ToList(),
            };
            // Re-logging the same values is harmless on this server, so a lost response may be retried.
            var request = new HttpRequestMessage(HttpMethod.Post, UrlPath.Combine("runs", run.Id, "log"))
            {
                Content = new StringContent(JsonSerializer.Serialize(wire, TestJsonContext.Default.WireBatch), System.Text.Encoding.UTF8, "application/json"),
            }.MarkIdempotent();
            await Http.SendAsync(request, cancellationToken);
        }
    }

    public override async Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, UrlPath.Combine("runs", run.Id, "end") + new QueryBuilder().Add("status", status.ToString())).MarkIdempotent();
        return backend.Map(await Http.SendAsync(request, TestJsonContext.Default.WireRun, cancellationToken));
    }

    public override Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default)
        => Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, UrlPath.Combine("runs", run.Id)), cancellationToken);

    public override Task UploadArtifactAsync(RunRef run, string path, Stream content, CancellationToken cancellationToken = default)
        => Http.SendAsync(new HttpRequestMessage(HttpMethod.Put, UrlPath.Combine("runs", run.Id, "artifacts", path)) { Content = new StreamContent(content) }, cancellationToken);

    public override Task<Stream> DownloadArtifactAsync(RunRef run, string path, CancellationToken cancellationToken = default)
        => Http.OpenReadAsync(new HttpRequestMessage(HttpMethod.Get, UrlPath.Combine("runs", run.Id, "artifacts", path))
            .MarkPermanentResponse(r => r.StatusCode == HttpStatusCode.InternalServerError), cancellationToken);

    /// <summary>An adapter-defined listing (not a page-fetch delegate): one request per page, inside its own enumeration.</summary>
    public override MlopsPageable<ArtifactInfo> ListArtifactsAsync(RunRef run, string? path = null, CancellationToken cancellationToken = default)
        => new ArtifactPages(backend, run.Id, cancellationToken);

    private static StringContent JsonContent<T>(T value) where T : class
        => new(JsonSerializer.Serialize(value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)TestJsonContext.Default.GetTypeInfo(typeof(T))!), System.Text.Encoding.UTF8, "application/json");
}

internal sealed class TestPipelineClient(TestHttpBackend backend) : PipelineClientBase(backend)
{
    /// <summary>Follows a task's log like a tailing adapter: one request per chunk until the server sends an empty one.</summary>
    public override async IAsyncEnumerable<string> ReadTaskLogAsync(RunRef run, string taskId, TaskLogOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var chunk = 0; ; chunk++)
        {
            var text = await backend.Http.SendForTextAsync(
                new HttpRequestMessage(HttpMethod.Get, UrlPath.Combine("runs", run.Id, "tasks", taskId, "log") + new QueryBuilder().Add("chunk", chunk)), cancellationToken);
            if (text.Length == 0)
            {
                yield break;
            }
            yield return text;
        }
    }

    public override async Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, UrlPath.Combine("pipelines", pipelineId, "trigger")) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        return backend.Map(await backend.Http.SendAsync(request, TestJsonContext.Default.WireRun, cancellationToken));
    }
}

/// <summary>A listing that walks server pages itself, like the adapters' re-chunking and streaming pageables.</summary>
internal sealed class ArtifactPages(TestHttpBackend backend, string runId, CancellationToken cancellationToken) : MlopsPageable<ArtifactInfo>(cancellationToken)
{
    public override async IAsyncEnumerable<MlopsPage<ArtifactInfo>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        var token = continuationToken;
        do
        {
            var page = await backend.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, UrlPath.Combine("runs", runId, "artifacts") + new QueryBuilder().Add("page_token", token)),
                TestJsonContext.Default.WireArtifactPage, CancellationToken);
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
internal sealed partial class TestJsonContext : JsonSerializerContext;
