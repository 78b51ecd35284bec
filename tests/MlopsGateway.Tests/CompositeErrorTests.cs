using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.Tests;

/// <summary>
/// A run-scoped call on a composite goes to the run's own backend, whatever Routing says, so when that
/// backend lacks the operation the error must say so — not repeat the adapter's "route X to …" hint,
/// which does not apply. The servers are never contacted: these calls fail before any request.
/// </summary>
public sealed class CompositeErrorTests
{
    private static ServiceProvider Build()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMlopsGateway(o =>
        {
            o.Backends["tracking"] = new BackendOptions { Type = "MLflow", BaseUrl = "http://127.0.0.1:1/" };
            var airflow = new BackendOptions { Type = "Airflow", BaseUrl = "http://127.0.0.1:1/" };
            airflow.Settings["ApiVersion"] = "v2";
            o.Backends["orchestrator"] = airflow;
            o.Routing = new RoutingOptions { Runs = "tracking", Models = "tracking", Pipelines = "orchestrator" };
        }).AddMLflow().AddAirflow();
        return services.BuildServiceProvider();
    }

    private static readonly Run s_tracked = new() { Id = "0123abcd", Backend = "tracking" };
    private static readonly Run s_dagRun = new() { Id = "train/manual__1", Backend = "orchestrator" };

    [Fact]
    public async Task Task_runs_of_a_tracked_run_say_the_run_belongs_to_a_tracking_backend()
    {
        await using var sp = Build();
        var composite = sp.GetRequiredService<IMlopsBackend>();

        var ex = (await FluentActions.Awaiting(() => composite.Pipelines.ListTaskRunsAsync(s_tracked).ToListAsync())
            .Should().ThrowAsync<MlopsNotSupportedException>()).Which;

        ex.Backend.Should().Be("tracking");
        ex.Operation.Should().Be("Pipelines.ListTaskRuns");
        ex.Message.Should().Be(
            "Pipelines.ListTaskRuns is not supported for run '0123abcd': the run belongs to backend 'tracking', a tracking backend (MLflow), "
            + "and run-scoped calls go to the run's own backend (Run.Backend), not to Routing:Pipelines ('orchestrator'). "
            + "Its runs are tracked runs (Runs.StartAsync): task runs and task logs exist only for runs triggered with Pipelines.TriggerAsync on an orchestration backend.");
        ex.Message.Should().NotContain("route Pipelines", "Pipelines already are routed to an orchestrator");
    }

    [Fact]
    public async Task Task_logs_of_a_tracked_run_say_so_too()
    {
        await using var sp = Build();
        var composite = sp.GetRequiredService<IMlopsBackend>();

        var ex = (await FluentActions.Awaiting(async () =>
        {
            await foreach (var _ in composite.Pipelines.ReadTaskLogAsync(s_tracked, "train"))
            {
            }
        }).Should().ThrowAsync<MlopsNotSupportedException>()).Which;

        ex.Operation.Should().Be("Pipelines.ReadTaskLog");
        ex.Message.Should().Contain("the run belongs to backend 'tracking', a tracking backend (MLflow)").And.NotContain("route Pipelines");
    }

    [Fact]
    public async Task Logging_to_a_dag_run_says_the_run_belongs_to_an_orchestration_backend()
    {
        await using var sp = Build();
        var composite = sp.GetRequiredService<IMlopsBackend>();

        var ex = (await FluentActions.Awaiting(() => composite.Runs.SetTagAsync(s_dagRun, "k", "v"))
            .Should().ThrowAsync<MlopsNotSupportedException>()).Which;

        ex.Backend.Should().Be("orchestrator");
        ex.Message.Should().StartWith("Runs.SetTag is not supported for run 'train/manual__1': the run belongs to backend 'orchestrator', an orchestration backend (Airflow)")
            .And.Contain("not to Routing:Runs ('tracking')")
            .And.EndWith("Its runs are pipeline runs: params, metrics, tags and artifacts are logged to a run of a tracking backend (Runs.StartAsync).")
            .And.NotContain("route Runs to an MLflow backend");
    }

    [Fact]
    public async Task A_call_routing_did_choose_keeps_the_adapters_routing_hint()
    {
        await using var sp = Build();
        var composite = sp.GetRequiredService<IMlopsBackend>();

        // Runs are routed to MLflow and the run lives there: MLflow's own hint is the right one.
        var ex = (await FluentActions.Awaiting(() => composite.Runs.RetryAsync(s_tracked))
            .Should().ThrowAsync<MlopsNotSupportedException>()).Which;

        ex.Message.Should().Contain("MLflow runs are tracked, not orchestrated").And.NotContain("run-scoped calls go to");
    }
}
