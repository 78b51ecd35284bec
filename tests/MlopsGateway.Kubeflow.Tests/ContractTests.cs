using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>One <c>prism mock</c> per official spec (KFP 2.17.0, Model Registry v0.3.8), started once for the class.</summary>
public sealed class PrismMocks : IAsyncLifetime
{
    public PrismProcess Kfp { get; private set; } = null!;

    public PrismProcess Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!SharedPaths.PrismAvailable || !SharedPaths.SharedAvailable)
        {
            return; // [PrismFact] skips outside CI; under CI the tests fail on the missing processes.
        }
        var kfp = PrismProcess.MockAsync(SharedPaths.Shared("specs", "kfp-v2beta1.swagger.json"));
        var registry = PrismProcess.MockAsync(SharedPaths.Shared("specs", "kubeflow-model-registry.yaml"));
        Kfp = await kfp;
        Registry = await registry;
    }

    public async Task DisposeAsync()
    {
        if (Kfp is not null)
        {
            await Kfp.DisposeAsync();
        }
        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }
    }
}

/// <summary>
/// Contract tests: every request the adapter can make — every endpoint of its Refit interfaces in <c>Api/</c>, reached
/// through the public API with representative filters, paging, colon verbs and bodies — is sent to Prism serving the
/// official spec, and none may carry a request violation (<c>sl-violations</c> entries located in the request). The
/// exemptions the specs cannot check are pinned here with Prism's exact verdict and covered by the unit tests:
/// read-artifact (absent from the 2.17.0 swagger), the <c>uploadfile</c> part (Prism ignores Swagger-2 formData
/// files) and the Model Registry artifact upsert (a <c>oneOf</c> that no body can match exactly once).
/// </summary>
public sealed class ContractTests(PrismMocks prism) : IClassFixture<PrismMocks>
{
    private const string ArtifactUpsert = "POST /api/model_registry/v1alpha3/model_versions/{modelVersionId}/artifacts";
    private const string ReadArtifact = "GET /apis/v2beta1/runs/{runId}/nodes/{nodeId}/artifacts/{artifactName}:read";

    private readonly ConcurrentQueue<Exchange> _kfp = new();
    private readonly ConcurrentQueue<Exchange> _registry = new();

    private IMlopsBackend Backend() => Harness.Create(prism.Kfp.BaseUri, prism.Registry.BaseUri,
        configure: o => o.Settings["Namespace"] = "team-a",
        gateway: g =>
        {
            g.HttpClient(Harness.Name).ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Add(new ViolationRecorder(_kfp)));
            g.HttpClient(Harness.Name, KubeflowBackend.ModelRegistryEndpoint)
                .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Add(new ViolationRecorder(_registry)));
        });

    private static void AssertNoRequestViolations(IEnumerable<Exchange> exchanges)
    {
        foreach (var exchange in exchanges)
        {
            var requestViolations = exchange.Violations.Where(v => (string?)v!["location"]![0] == "request").Select(v => v!.ToJsonString()).ToList();
            requestViolations.Should().BeEmpty(exchange.Line);
            exchange.Status.Should().BeInRange(200, 299, exchange.Line);
        }
    }

    /// <summary>Every endpoint of the interfaces whose routes start with <paramref name="root"/>, except <paramref name="exempt"/>, was sent at least once.</summary>
    private static void AssertEveryEndpointSent(IEnumerable<Exchange> exchanges, string root, params string[] exempt)
    {
        var endpoints = Endpoints(root).Where(e => !exempt.Contains(e.Key)).ToList();
        endpoints.Should().NotBeEmpty();
        var sent = exchanges.Select(e => e.MethodAndPath).ToList();
        endpoints.Where(e => !sent.Any(e.Value.IsMatch)).Select(e => e.Key).Should().BeEmpty("every endpoint the adapter declares is checked against the spec");
    }

    /// <summary>The adapter's Refit endpoints (<c>METHOD /route</c>) with a pattern matching requests sent to them.</summary>
    private static Dictionary<string, Regex> Endpoints(string root)
        => ApiEndpoints.All.Select(e => e.Http)
            .Where(a => a.Path.StartsWith(root, StringComparison.Ordinal))
            .ToDictionary(
                a => $"{a.Method.Method} {a.Path.Split('?')[0]}",
                a => new Regex("^" + a.Method.Method + " " + Regex.Replace(Regex.Escape(a.Path.Split('?')[0]), @"\\\{\w+}", "[^/:]+") + "$"));

    private static PipelineUpload Upload(string name, string fileName, string? description = null) => new()
    {
        Name = name,
        Description = description,
        FileName = fileName,
        Content = new MemoryStream("pipelineInfo: {}\n"u8.ToArray()),
    };

    [PrismFact]
    public async Task Every_KFP_request_passes_the_official_spec()
    {
        var backend = Backend();
        var schedules = backend.GetService<KubeflowSchedules>()!;
        var archive = backend.GetService<KubeflowArchive>()!;
        var statuses = new RunQuery
        {
            ExperimentIds = ["e-1"],
            Statuses = [RunStatus.Failed, RunStatus.Succeeded],
            StartedAfter = DateTimeOffset.UnixEpoch.AddYears(50),
            StartedBefore = DateTimeOffset.UnixEpoch.AddYears(60),
            PageSize = 100,
        };

        await backend.CheckHealthAsync();
        await backend.Pipelines.ListAsync(new PipelineQuery { NameContains = "x", PageSize = 50 }).FirstPageAsync("dG9rZW4=");
        await backend.Pipelines.GetAsync("p-1");
        await backend.Pipelines.GetByNameAsync("my pipeline");
        await backend.Pipelines.DeleteAsync("p-1");
        await backend.Pipelines.UploadAsync(Upload("demo", "p.yaml", "a demo"));
        await backend.Pipelines.UploadVersionAsync("p-1", Upload("v2", "v.yaml", "second"));
        await backend.Pipelines.ListVersionsAsync("p-1", new PipelineVersionQuery { PageSize = 200 }).FirstPageAsync(null);
        await backend.Pipelines.GetVersionAsync("p-1", "v-1");
        await backend.Pipelines.DeleteVersionAsync("p-1", "v-1");
        await backend.Runs.CreateExperimentAsync("mnist", new ExperimentCreateOptions { Description = "d" });
        await backend.Runs.GetExperimentAsync("e-1");
        var byName = () => backend.Runs.GetExperimentByNameAsync("mnist");
        await byName.Should().ThrowAsync<MlopsNotFoundException>("Prism's generated experiment is not named 'mnist': the request is what counts");
        await backend.Runs.DeleteExperimentAsync("e-1");
        await backend.Runs.RestoreExperimentAsync("e-1");
        await archive.DeleteExperimentPermanentlyAsync("e-1");
        await backend.Pipelines.TriggerAsync("p-1", new TriggerOptions
        {
            RunName = "nightly",
            Note = "d",
            ExperimentId = "e-1",
            VersionId = "v-1",
            Parameters = new JsonObject { ["lr"] = 0.01, ["layers"] = new JsonArray(64, 32), ["name"] = "x" },
        });
        await backend.Runs.GetAsync("r-1");
        await backend.Runs.ListAsync(statuses).FirstPageAsync("dG9rZW4=");
        await backend.Runs.CancelAsync("r-1");
        await backend.Runs.RetryAsync("r-1"); // :retry, then reads the run back
        await archive.ArchiveRunAsync("r-1");
        await archive.UnarchiveRunAsync("r-1");
        await backend.Runs.DeleteAsync("r-1");
        await schedules.CreateAsync(new KubeflowScheduleOptions
        {
            Name = "hourly",
            PipelineId = "p-1",
            ExperimentId = "e-1",
            Cron = "0 0 * * * *",
            StartTime = DateTimeOffset.UnixEpoch.AddYears(56),
            MaxConcurrency = 2,
            NoCatchup = true,
            Parameters = new JsonObject { ["lr"] = 0.1 },
        });
        await schedules.CreateAsync(new KubeflowScheduleOptions { Name = "every5m", PipelineId = "p-1", Interval = TimeSpan.FromMinutes(5), Enabled = false });
        await schedules.GetAsync("s-1");
        await schedules.ListAsync("e-1", 100).FirstPageAsync(null);
        await schedules.EnableAsync("s-1");
        await schedules.DisableAsync("s-1");
        await schedules.DeleteAsync("s-1");

        _kfp.Should().HaveCount(32);
        AssertNoRequestViolations(_kfp);
        AssertEveryEndpointSent(_kfp, "/apis/", ReadArtifact);
    }

    [PrismFact]
    public async Task Every_Model_Registry_request_passes_the_official_spec()
    {
        var backend = Backend();
        var artifacts = backend.GetService<KubeflowModelArtifacts>()!;
        var tags = new Dictionary<string, string> { ["team"] = "risk" };

        await backend.CheckHealthAsync();
        await backend.Models.CreateModelAsync("fraud", new ModelCreateOptions { Description = "d", Tags = tags });
        await backend.Models.GetModelAsync("fraud");
        await backend.Models.ListModelsAsync(new ModelQuery { PageSize = 100 }).FirstPageAsync("dG9rZW4=");
        await backend.Models.UpdateModelAsync("fraud", new ModelUpdate { Description = "d2" });
        await backend.Models.DeleteModelAsync("fraud");
        await backend.Models.SetModelTagAsync("fraud", "team", "risk");
        await backend.Models.SetAliasAsync("fraud", "champion", "1");
        await backend.Models.ListVersionsAsync("fraud").FirstPageAsync(null);
        var create = () => backend.Models.CreateVersionAsync("fraud", new ModelVersionCreateOptions { Source = "s3://b/fraud/1", Description = "d", Tags = tags, Run = new RunRef("r-1") });
        await create.Should().ThrowAsync<MlopsValidationException>("the artifact upsert is the spec's oneOf exemption, after which the version is archived again");
        await backend.Models.UpdateVersionAsync("fraud", "1", new ModelUpdate { Description = "d2" });
        await backend.Models.SetVersionTagAsync("fraud", "1", "team", "risk");
        await artifacts.GetAsync("3");
        await artifacts.UpdateAsync("3", new KubeflowModelArtifactUpdate
        {
            Uri = "s3://b/fraud/1",
            State = "LIVE",
            Description = "d",
            ModelFormatName = "onnx",
            ModelFormatVersion = "1",
            StorageKey = "aws-connection-b",
            StoragePath = "fraud/1",
            ServiceAccountName = "registry-reader",
            CustomProperties = new Dictionary<string, string?> { ["team"] = "risk", ["property1"] = null },
        });
        await artifacts.ListAsync("fraud", "1", 10).FirstPageAsync(null);

        _registry.Should().HaveCount(34);
        var (exempt, checkedExchanges) = (_registry.Where(IsArtifactUpsert).ToList(), _registry.Where(e => !IsArtifactUpsert(e)).ToList());
        exempt.Should().ContainSingle("only the artifact upsert is exempt");
        AssertNoRequestViolations(checkedExchanges);
        AssertEveryEndpointSent(_registry, "/api/model_registry/");
        _kfp.Select(e => e.Line).Should().ContainSingle().Which.Should().Contain("/healthz", "only the health check talks to KFP");
    }

    private static bool IsArtifactUpsert(Exchange exchange) => Endpoints("/api/model_registry/")[ArtifactUpsert].IsMatch(exchange.MethodAndPath);

    [PrismFact]
    public async Task Exemption_read_artifact_is_absent_from_the_KFP_swagger()
    {
        var nodeArtifacts = Backend().GetService<KubeflowNodeArtifacts>()!;

        var act = () => nodeArtifacts.ReadAsync("r-1", "node-1", "metrics");

        (await act.Should().ThrowAsync<MlopsNotFoundException>("Prism has no such route, so the unit tests cover it")).Which.Status.Should().Be(404);
    }

    [PrismFact]
    public async Task Exemption_the_uploadfile_part_is_not_checked_by_Prism()
    {
        var backend = Backend();

        // With the file under another part name Prism still answers 200: the part name is covered by unit tests only.
        var part = new ByteArrayContent("x"u8.ToArray());
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        part.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data") { Name = "\"not_uploadfile\"", FileName = "\"p.yaml\"" };
        var request = new HttpRequestMessage(HttpMethod.Post, "apis/v2beta1/pipelines/upload?name=x") { Content = new MultipartFormDataContent { part } };
        using var client = new HttpClient { BaseAddress = prism.Kfp.BaseUri };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer x");
        using var response = await client.SendAsync(request);

        ((int)response.StatusCode).Should().Be(200);
        await backend.Pipelines.UploadAsync(Upload("demo", "p.yaml"));
    }

    [PrismFact]
    public async Task Exemption_the_artifact_upsert_body_is_a_oneOf_no_body_can_satisfy()
    {
        var backend = Backend();

        var act = () => backend.Models.CreateVersionAsync("fraud", new ModelVersionCreateOptions { Source = "s3://b/fraud/1" });

        await act.Should().ThrowAsync<MlopsValidationException>();
        var violations = _registry.Single(IsArtifactUpsert).Violations;
        violations.Select(v => (string?)v!["code"]).Should().Equal("oneOf");
        ((string?)violations[0]!["message"]).Should().Contain("must match exactly one schema in oneOf");
    }

    /// <summary>One request sent to Prism: its line, status and Prism's violations.</summary>
    private sealed record Exchange(string Method, string PathAndQuery, int Status, JsonArray Violations)
    {
        public string Line => $"{Method} {PathAndQuery}";

        public string MethodAndPath => $"{Method} {PathAndQuery.Split('?')[0]}";
    }

    /// <summary>
    /// Innermost handler: records each exchange's status and Prism's <c>sl-violations</c> header. Prism's generated
    /// lists carry the placeholder page token <c>"string"</c> on every page, so it is removed from the answer: every
    /// listing ends after the page asked for (the requests, which is what this class checks, are unchanged).
    /// </summary>
    private sealed class ViolationRecorder(ConcurrentQueue<Exchange> sink) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var violations = response.Headers.TryGetValues("sl-violations", out var values)
                ? JsonNode.Parse(string.Join("", values)) as JsonArray ?? []
                : [];
            if (violations.Count == 0 && (int)response.StatusCode == 422)
            {
                // No declared error response: Prism puts the violations in a problem+json body instead.
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                violations = body?["validation"] is JsonArray v ? (JsonArray)v.DeepClone() : [];
                foreach (var item in violations)
                {
                    item!["location"] = new JsonArray("request");
                }
            }
            sink.Enqueue(new Exchange(request.Method.Method, request.RequestUri!.PathAndQuery, (int)response.StatusCode, violations));
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                if (json is JsonObject page && (page.Remove("next_page_token") | page.Remove("nextPageToken")))
                {
                    response.Content = new StringContent(page.ToJsonString(), Encoding.UTF8, "application/json");
                }
            }
            return response;
        }
    }
}
