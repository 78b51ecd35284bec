using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests;

public sealed class RoutingTests
{
    private static (ServiceProvider Sp, IMlopsBackend Composite, MemoryBackend Tracking, MemoryBackend Orchestrator) Build()
    {
        var sp = TestGateway.Build(o =>
        {
            o.Backends["tracking"] = new BackendOptions { Type = "Memory" };
            o.Backends["orchestrator"] = new BackendOptions { Type = "Memory" };
            o.Routing = new RoutingOptions { Runs = "tracking", Models = "tracking", Pipelines = "orchestrator" };
        });
        var provider = sp.GetRequiredService<IMlopsBackendProvider>();
        return (sp, sp.GetRequiredService<IMlopsBackend>(), Unwrap(provider.Get("tracking")), Unwrap(provider.Get("orchestrator")));
    }

    private static MemoryBackend Unwrap(IMlopsBackend backend) => backend.GetService<MemoryBackend>()!;

    [Fact]
    public async Task Creates_go_by_route_and_run_scoped_calls_follow_the_backend_of_record()
    {
        var (sp, composite, tracking, orchestrator) = Build();
        await using var scope = sp;
        composite.Kind.Should().Be("Composite");

        var triggered = await composite.Pipelines.TriggerAsync("train");
        triggered.Backend.Should().Be("orchestrator");
        orchestrator.Calls.Should().Contain("Trigger train");

        // The run was triggered on the orchestrator: its task runs and cancel go there, not to the Runs route.
        _ = await composite.Pipelines.ListTaskRunsAsync(triggered).ToListAsync();
        orchestrator.Calls.Should().Contain($"ListTaskRuns {triggered.Id}");
        await composite.Runs.CancelAsync(triggered);
        orchestrator.Calls.Should().Contain($"Cancel {triggered.Id}");
        (await composite.Runs.GetAsync(triggered)).Status.Should().Be(RunStatus.Canceled);
        tracking.Calls.Should().NotContain(c => c.StartsWith("Cancel", StringComparison.Ordinal));

        var created = await composite.Runs.CreateRunAsync("e1");
        created.Backend.Should().Be("tracking");
        await composite.Runs.GetAsync(created);
        tracking.Calls.Should().Contain($"Get {created.Id}");
    }

    [Fact]
    public async Task Pipeline_filtered_run_lists_go_to_the_pipelines_route_and_other_lists_to_the_runs_route()
    {
        var (sp, composite, tracking, orchestrator) = Build();
        await using var scope = sp;

        _ = await composite.Runs.ListAsync(new RunQuery { PipelineId = "train" }).ToListAsync();
        orchestrator.Calls.Should().Contain("List train");
        _ = await composite.Runs.ListAsync().ToListAsync();
        tracking.Calls.Should().Contain("List ");
    }

    [Fact]
    public async Task A_parsed_reference_routes_to_its_own_backend()
    {
        var (sp, composite, tracking, orchestrator) = Build();
        await using var scope = sp;
        var triggered = await composite.Pipelines.TriggerAsync("train");
        var stored = ((RunRef)triggered).ToString();   // e.g. a database column

        stored.Should().Be($"orchestrator:{triggered.Id}");
        (await composite.Runs.GetAsync(RunRef.Parse(stored))).Backend.Should().Be("orchestrator");
        _ = await composite.Pipelines.ListTaskRunsAsync(RunRef.Parse(stored)).ToListAsync();

        orchestrator.Calls.Should().Contain($"Get {triggered.Id}").And.Contain($"ListTaskRuns {triggered.Id}");
        tracking.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task A_bare_id_with_several_run_backends_is_refused_with_how_to_qualify_it()
    {
        var (sp, composite, tracking, orchestrator) = Build();
        await using var scope = sp;
        var run = await composite.Runs.CreateRunAsync("e1");
        var calls = tracking.Calls.Count + orchestrator.Calls.Count;

        var ex = (await FluentActions.Awaiting(() => composite.Runs.GetAsync(run.Id)).Should().ThrowAsync<MlopsValidationException>()).Which;
        ex.Operation.Should().Be("Runs.Get");
        ex.Message.Should().Contain($"run id '{run.Id}' does not say which backend")
            .And.Contain("'tracking' (Memory), 'orchestrator' (Memory)")
            .And.Contain($"RunRef.Parse(\"tracking:{run.Id}\")");
        (await FluentActions.Awaiting(() => composite.Pipelines.ListTaskRunsAsync(run.Id).ToListAsync()).Should().ThrowAsync<MlopsValidationException>())
            .Which.Operation.Should().Be("Pipelines.ListTaskRuns");
        (tracking.Calls.Count + orchestrator.Calls.Count).Should().Be(calls, "nothing is sent for an ambiguous id");
    }

    [Fact]
    public async Task A_string_that_looks_qualified_gets_a_hint_to_parse_it()
    {
        var (sp, composite, _, _) = Build();
        await using var scope = sp;

        (await FluentActions.Awaiting(() => composite.Runs.CancelAsync("orchestrator:r1")).Should().ThrowAsync<MlopsValidationException>())
            .Which.Message.Should().Contain("read it with RunRef.Parse(\"orchestrator:r1\") instead of converting the string");
    }

    [Fact]
    public async Task A_bare_id_goes_to_the_only_routed_backend_that_holds_runs()
    {
        // "orchestrator" is configured but not routed, so it is no candidate for a bare id.
        await using var sp = TestGateway.Build(o =>
        {
            o.Backends["tracking"] = new BackendOptions { Type = "Memory" };
            o.Backends["orchestrator"] = new BackendOptions { Type = "Memory" };
            o.Routing = new RoutingOptions { Runs = "tracking", Models = "tracking", Pipelines = "tracking" };
        });
        var composite = sp.GetRequiredService<IMlopsBackend>();
        var tracking = Unwrap(sp.GetRequiredService<IMlopsBackendProvider>().Get("tracking"));
        var run = await composite.Runs.CreateRunAsync("e1");

        (await composite.Runs.GetAsync(run.Id)).Backend.Should().Be("tracking");
        tracking.Calls.Should().Contain($"Get {run.Id}");
    }

    [Fact]
    public async Task A_reference_to_a_backend_that_is_not_configured_is_a_validation_error_naming_it()
    {
        var (sp, composite, _, _) = Build();
        await using var scope = sp;

        (await FluentActions.Awaiting(() => composite.Runs.GetAsync(RunRef.Parse("retired:r1"))).Should().ThrowAsync<MlopsValidationException>())
            .Which.Message.Should().Contain("backend 'retired', which is not configured here (configured: tracking, orchestrator)");
    }

    [Fact]
    public async Task Composite_capabilities_come_from_each_routed_backend_and_health_from_all()
    {
        var (sp, composite, _, _) = Build();
        await using var scope = sp;
        composite.Capabilities.Supports(MlopsCapability.PipelineTrigger).Should().BeTrue();
        composite.Capabilities.Supports(MlopsCapability.ModelRegistry).Should().BeFalse();
        var health = await composite.CheckHealthAsync();
        health.IsHealthy.Should().BeTrue();
        health.Data.Should().ContainKeys("tracking", "orchestrator");
    }

    [Fact]
    public async Task Unsupported_operations_throw_before_any_call_naming_backend_operation_and_alternative()
    {
        var (sp, composite, tracking, _) = Build();
        await using var scope = sp;
        var before = tracking.Calls.Count;
        var act = () => composite.Models.GetModelAsync("m");
        var ex = (await act.Should().ThrowAsync<MlopsNotSupportedException>()).Which;
        ex.Message.Should().Contain("Models.GetModel").And.Contain("'tracking'").And.Contain("Route Models");
        ex.Backend.Should().Be("tracking");
        tracking.Calls.Count.Should().Be(before);
    }
}
