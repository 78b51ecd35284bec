using MlopsGateway.Kubeflow.Tests.Fakes;
using MlopsGateway.Testing;
using Polly.CircuitBreaker;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>
/// KFP and the Model Registry are two services with two named clients (<c>Endpoints:ModelRegistry</c>): each has its
/// own circuit breaker and its own concurrency limit, so one failing or saturated service never blocks the other.
/// </summary>
public sealed class ServiceIsolationTests : IAsyncLifetime
{
    private const string Busy = """{"code":14,"message":"upstream connect error"}""";
    private KubeflowFake _kfp = null!;
    private KubeflowFake _registry = null!;

    public async Task InitializeAsync()
    {
        _kfp = await KubeflowFake.StartAsync();
        _registry = await KubeflowFake.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _kfp.DisposeAsync();
        await _registry.DisposeAsync();
    }

    /// <summary>
    /// One attempt per call and a breaker that opens once 60 % of at least two calls failed: after one success
    /// (the seeding call) and two failures, not after one.
    /// </summary>
    private IMlopsBackend Backend() => Harness.Create(_kfp.BaseUri, _registry.BaseUri, o =>
    {
        o.Resilience.MaxRetryAttempts = 0;
        o.Resilience.CircuitMinimumThroughput = 2;
        o.Resilience.CircuitFailureRatio = 0.6;
    });

    private static async Task TripAsync(Func<Task> failingCall)
    {
        for (var i = 0; i < 2; i++)
        {
            (await failingCall.Should().ThrowAsync<MlopsUnavailableException>()).Which.Status.Should().Be(503);
        }
        (await failingCall.Should().ThrowAsync<MlopsUnavailableException>()).Which.InnerException.Should().BeOfType<BrokenCircuitException>();
    }

    [Fact]
    public async Task An_open_KFP_circuit_leaves_the_Model_Registry_working()
    {
        var backend = Backend();
        var pipeline = await backend.Pipelines.UploadAsync(new PipelineUpload { Name = "p", Content = new MemoryStream("x"u8.ToArray()) });
        _kfp.FailNext("GET", "/apis/v2beta1/pipelines/", 503, Busy);
        _kfp.FailNext("GET", "/apis/v2beta1/pipelines/", 503, Busy);

        await TripAsync(() => backend.Pipelines.GetAsync(pipeline.Id));
        var sentToKfp = _kfp.Server.Requests.Count;
        var model = await backend.Models.CreateModelAsync("fraud");
        var read = await backend.Models.GetModelAsync("fraud");

        model.Name.Should().Be("fraud");
        read.Name.Should().Be("fraud");
        _kfp.Server.Requests.Should().HaveCount(sentToKfp, "the open KFP circuit sends nothing more to KFP");
        var again = () => backend.Pipelines.ListAsync().ToListAsync();
        (await again.Should().ThrowAsync<MlopsUnavailableException>()).Which.InnerException.Should().BeOfType<BrokenCircuitException>("KFP's circuit is still open");
    }

    [Fact]
    public async Task An_open_Model_Registry_circuit_leaves_KFP_working()
    {
        var backend = Backend();
        await backend.Models.CreateModelAsync("fraud");
        _registry.FailNext("GET", "/api/model_registry/v1alpha3/registered_model", 503, Busy);
        _registry.FailNext("GET", "/api/model_registry/v1alpha3/registered_model", 503, Busy);

        await TripAsync(() => backend.Models.GetModelAsync("fraud"));
        var sentToRegistry = _registry.Server.Requests.Count;
        var pipeline = await backend.Pipelines.UploadAsync(new PipelineUpload { Name = "p", Content = new MemoryStream("x"u8.ToArray()) });
        var read = await backend.Pipelines.GetAsync(pipeline.Id);

        read.Name.Should().Be("p");
        _registry.Server.Requests.Should().HaveCount(sentToRegistry, "the open registry circuit sends nothing more to the registry");
        var health = await backend.CheckHealthAsync();
        health.IsHealthy.Should().BeFalse();
        health.Description.Should().Contain("Kubeflow Pipelines is up").And.Contain("Model Registry is not");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Each_service_has_its_own_concurrency_limit(bool holdKfp)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var held = FakeServer.Start();
        held.Fallback(async _ =>
        {
            await gate.Task.WaitAsync(held.Stopping);
            return FakeResponse.JsonText(200, """{"id":"1","pipeline_id":"p","name":"m","state":"LIVE"}""");
        });
        var backend = holdKfp
            ? Harness.Create(held.BaseUri, _registry.BaseUri, o => o.MaxConcurrentRequests = 1)
            : Harness.Create(_kfp.BaseUri, held.BaseUri, o => o.MaxConcurrentRequests = 1);
        Func<Task> callHeld = holdKfp ? () => backend.Pipelines.GetAsync("p") : () => backend.Models.GetModelAsync("m");
        Func<Task> callOther = holdKfp
            ? async () => await backend.Models.CreateModelAsync($"m{Guid.NewGuid():N}")
            : async () => await backend.Pipelines.ListAsync().ToListAsync();

        var first = callHeld();
        // A held request is in WireMock's log only once answered: count what reached the server.
        await Eventually.TrueAsync(() => held.Arrivals == 1, "the first call holds the held service's only slot");
        var second = callHeld();
        await callOther().WaitAsync(TimeSpan.FromSeconds(30)); // would wait behind the held slot if the limiter were shared
        await callOther().WaitAsync(TimeSpan.FromSeconds(30));
        held.Arrivals.Should().Be(1, "the second call to the held service waits for its only slot");
        gate.SetResult();
        await first;
        await second;

        held.Requests.Should().HaveCount(2);
    }
}
