using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Metaflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>
/// The retry mark of each endpoint (Api/*.cs), the failures every call can meet, and the heartbeats' end: what is
/// re-sent after a 503, what never is, and that nothing but the gateway's exceptions reaches a caller.
/// </summary>
public sealed class ResilienceTests
{
    private const string Pg23503 = "\"{\\\"err_msg\\\": {\\\"pgerror\\\": \\\"ERROR:  insert or update on table \\\\\\\"runs_v3\\\\\\\" violates foreign key constraint\\\\nDETAIL:  Key (flow_id)=(NoFlow) is not present in table \\\\\\\"flows_v3\\\\\\\".\\\\n\\\", \\\"pgcode\\\": \\\"23503\\\"}}\"";

    /// <summary>Two immediate retries (no backoff to wait for on the manual clock).</summary>
    private static Task<MetaflowHost> RetryingHostAsync() => MetaflowHost.StartAsync(o =>
    {
        o.Resilience.MaxRetryAttempts = 2;
        o.Resilience.BaseDelay = TimeSpan.Zero;
        o.Resilience.MaxDelay = TimeSpan.Zero;
    });

    private static int Count(MetaflowHost host, string method, string path) => host.Requests.Count(r => r.Method == method && r.Path == path);

    [Fact]
    public async Task Creating_a_run_is_never_re_sent_after_a_503()
    {
        await using var host = await RetryingHostAsync();
        await host.Metadata.RegisterFlowAsync("TrainFlow");
        host.Fake.FailNext("POST", "/flows/TrainFlow/run", 503);
        var act = () => host.Backend.Runs.CreateRunAsync("TrainFlow", new RunCreateOptions { RunId = "argo-once" });
        await act.Should().ThrowAsync<MlopsUnavailableException>();
        Count(host, "POST", "/flows/TrainFlow/run").Should().Be(1, "a second create could register a second run");
    }

    [Fact]
    public async Task Creating_a_step_or_task_and_posting_records_are_never_re_sent_after_a_503()
    {
        await using var host = await RetryingHostAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-r");
        var steps = $"/flows/TrainFlow/runs/argo-r/steps";
        host.Fake.FailNext("POST", $"{steps}/start/step", 503);
        await host.Metadata.Invoking(m => m.RegisterStepAsync(run.Id, "start")).Should().ThrowAsync<MlopsUnavailableException>();
        Count(host, "POST", $"{steps}/start/step").Should().Be(1);

        await host.Metadata.RegisterStepAsync(run.Id, "start");
        host.Fake.FailNext("POST", $"{steps}/start/task", 503);
        await host.Metadata.Invoking(m => m.RegisterTaskAsync(run.Id, "start")).Should().ThrowAsync<MlopsUnavailableException>();
        Count(host, "POST", $"{steps}/start/task").Should().Be(1, "without a name the service would number a second task");

        var task = await host.Metadata.RegisterTaskAsync(run.Id, "start", "t");
        host.Fake.FailNext("POST", $"{steps}/start/tasks/t/metadata", 503);
        await host.Metadata.Invoking(m => m.AddMetadataAsync(run.Id, "start", task.TaskId, [new("note", "v")])).Should().ThrowAsync<MlopsUnavailableException>();
        Count(host, "POST", $"{steps}/start/tasks/t/metadata").Should().Be(1, "rows have no key: a second request would store them twice");

        host.Fake.FailNext("POST", $"{steps}/start/tasks/t/artifact", 503);
        await host.Metadata.Invoking(m => m.AddArtifactsAsync(run.Id, "start", task.TaskId, [new MetaflowArtifactWrite { Name = "x", Location = "s3://b/x", Sha = "s" }]))
            .Should().ThrowAsync<MlopsUnavailableException>();
        Count(host, "POST", $"{steps}/start/tasks/t/artifact").Should().Be(1);
    }

    [Fact]
    public async Task Flow_registration_tag_mutation_heartbeats_and_reads_are_re_sent_after_a_503()
    {
        await using var host = await RetryingHostAsync();
        host.Fake.FailNext("POST", "/flows/TrainFlow", 503);
        (await host.Metadata.RegisterFlowAsync("TrainFlow")).Id.Should().Be("TrainFlow");
        Count(host, "POST", "/flows/TrainFlow").Should().Be(2);

        var run = await host.RegisterRunAsync("TrainFlow", "argo-t");
        host.Fake.FailNext("PATCH", "/flows/TrainFlow/runs/argo-t/tag/mutate", 503);
        await host.Backend.Runs.SetTagAsync(run, "reviewed", "");
        Count(host, "PATCH", "/flows/TrainFlow/runs/argo-t/tag/mutate").Should().Be(2);

        var metaflow = host.Backend.GetService<MetaflowBackend>()!;
        metaflow.Heartbeats.Stop(MetaflowRunRef.Parse(run.Id, metaflow.Context)); // only this test's beats from here
        host.Clock.Advance(TimeSpan.FromSeconds(11));
        var beats = Count(host, "POST", "/flows/TrainFlow/runs/argo-t/heartbeat");
        host.Fake.FailNext("POST", "/flows/TrainFlow/runs/argo-t/heartbeat", 503);
        (await host.Metadata.HeartbeatRunAsync(run.Id)).Should().BeTrue("the re-sent beat is the first in 11 s");
        Count(host, "POST", "/flows/TrainFlow/runs/argo-t/heartbeat").Should().Be(beats + 2);

        host.Fake.FailNext("GET", "/flows/TrainFlow/runs/argo-t", 503);
        (await host.Backend.Runs.GetAsync(run)).Tags.Should().ContainKey("reviewed");
        Count(host, "GET", "/flows/TrainFlow/runs/argo-t").Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Every_failure_carries_backend_operation_status_code_and_request_id()
    {
        await using var host = await MetaflowHost.StartAsync();
        await host.Metadata.RegisterFlowAsync("NoFlow");
        host.Fake.FailNext("POST", "/flows/NoFlow/run", 404, Pg23503);
        var create = (await host.Backend.Runs.Invoking(r => r.CreateRunAsync("NoFlow", new RunCreateOptions { RunId = "argo-x" }))
            .Should().ThrowAsync<MlopsNotFoundException>()).Which;
        create.Backend.Should().Be("mf");
        create.Operation.Should().Be("Runs.CreateRun");
        create.Status.Should().Be(404);
        create.ErrorCode.Should().Be("23503");
        create.RequestId.Should().Be(MetaflowFake.FaultRequestId);
        create.Message.Should().Contain("Key (flow_id)=(NoFlow)");

        // A list answers its failure before the first element.
        host.Fake.FailNext("GET", "/flows/NoFlow/runs", 500);
        var list = (await host.Backend.Runs.Invoking(r => r.ListAsync(new RunQuery { PipelineId = "NoFlow" }).ToListAsync())
            .Should().ThrowAsync<MlopsUnavailableException>()).Which;
        list.Backend.Should().Be("mf");
        list.Operation.Should().Be("Runs.List");
        list.Status.Should().Be(500);
        list.RequestId.Should().Be(MetaflowFake.FaultRequestId);

        // A list whose body is not the array it should be.
        host.Fake.FailNext("GET", "/flows/NoFlow/runs", 200, "[{\"flow_id\": \"NoFlow\", \"run_number\": oops");
        var malformed = (await host.Backend.Runs.Invoking(r => r.ListAsync(new RunQuery { PipelineId = "NoFlow" }).ToListAsync())
            .Should().ThrowAsync<MlopsException>()).Which;
        malformed.Message.Should().Contain("not the expected JSON");
        malformed.Status.Should().Be(200);

        // The version probe reads a header: its failure is mapped all the same.
        host.Fake.FailNext("GET", "/ping", 401, "\"unauthorized\"");
        var ping = (await host.Backend.Runs.Invoking(r => r.SetTagAsync("NoFlow/argo-x", "a", "")).Should().ThrowAsync<MlopsAuthenticationException>()).Which;
        ping.Status.Should().Be(401);
        ping.RequestId.Should().Be(MetaflowFake.FaultRequestId);
        ping.Operation.Should().Be("Runs.SetTag");
        (await host.Backend.CheckHealthAsync()).IsHealthy.Should().BeTrue("a failed probe is not cached");
    }

    [Fact]
    public async Task A_service_that_cannot_be_reached_is_unavailable_for_every_kind_of_endpoint()
    {
        var options = new BackendOptions { Type = "Metaflow", BaseUrl = "http://127.0.0.1:1/" };
        options.Resilience.MaxRetryAttempts = 0;
        options.Resilience.CircuitFailureRatio = 0;
        await using var provider = new ServiceCollection().AddMlopsGateway(o => o.Backends["mf"] = options).AddMetaflow().Services.BuildServiceProvider();
        var backend = provider.GetRequiredKeyedService<IMlopsBackend>("mf");
        var metadata = backend.GetService<MetaflowMetadataClient>()!;
        Func<Task>[] calls =
        [
            () => backend.Pipelines.GetAsync("F"),                                   // an object
            () => backend.Pipelines.ListAsync().ToListAsync(),              // a streamed list
            () => metadata.HeartbeatRunAsync("F/argo-1"),                            // a text answer
            () => backend.Runs.SetTagAsync("F/argo-1", "a", ""),                     // the /ping header
        ];
        foreach (var call in calls)
        {
            var thrown = (await call.Should().ThrowAsync<MlopsUnavailableException>()).Which;
            thrown.Backend.Should().Be("mf");
            thrown.Message.Should().Contain("could not be reached");
        }
        (await backend.CheckHealthAsync()).IsHealthy.Should().BeFalse();
    }

    [Fact]
    public async Task Disposing_the_backend_cancels_a_beat_in_flight_so_the_gateway_disposes_without_waiting_on_the_clock()
    {
        var host = await MetaflowHost.StartAsync();
        var metaflow = host.Backend.GetService<MetaflowBackend>()!;
        await host.RegisterRunAsync("TrainFlow", "argo-h");
        host.Fake.HeartbeatGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Clock.Advance(RunHeartbeats.Interval);
        // The held beat is not answered, so it is not in WireMock's log yet: count what reached the server.
        await Eventually.TrueAsync(() => metaflow.Heartbeats.InFlight == 1 && host.Fake.Server.ArrivedPaths.Count(p => p.EndsWith("/heartbeat")) == 2,
            "the timer's beat reached the service, which holds its answer");

        await Eventually.CompletesAsync(metaflow.DisposeAsync().AsTask(), "disposing cancels the held beat instead of waiting for it");
        metaflow.Heartbeats.InFlight.Should().Be(0);
        metaflow.Heartbeats.Active.Should().Be(0);
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        host.Fake.Server.ArrivedPaths.Count(p => p.EndsWith("/heartbeat")).Should().Be(2, "no beat after disposal");

        // Nothing is in flight any more, so the services dispose at once although the clock stands still.
        await host.DisposeAsync();
        host.Fake.HeartbeatGate.TrySetResult();
    }
}
