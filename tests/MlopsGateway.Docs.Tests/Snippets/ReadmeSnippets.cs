using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlopsGateway.Local;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>README.md's C# blocks, run against the in-memory Local backend.</summary>
public sealed class ReadmeSnippets
{
    [Fact]
    public async Task Use_it_registers_the_gateway_runs_a_tracked_run_and_waits_for_a_pipeline_run()
    {
        var builder = DocsHost.LocalBuilder();
        #region Snippet:Readme_Register
        builder.Services.AddMlopsGateway(builder.Configuration.GetSection("Mlops"))
            .AddLocal().AddMLflow().AddAirflow().AddKubeflow().AddMetaflow();
        #endregion
        using var host = builder.Build();
        var backend = host.Services.GetRequiredService<IMlopsBackend>();
        backend.GetRequiredService<LocalPipelineClient>().Register("train_evaluate", p => p.Step("train", _ => { }).Step("evaluate", _ => { }));

        #region Snippet:Readme_Use
        await backend.Runs.RunAsync("mnist", new() { Name = "cnn" }, async (run, ct) =>
        {
            run.LogParam("lr", 0.01);
            for (var epoch = 0; epoch < 10; epoch++)
            {
                var loss = await TrainEpochAsync(epoch, ct);   // your training step
                run.LogMetric("loss", loss, step: epoch);
            }
        });   // Succeeded when the delegate returns; Failed (and rethrown) when it throws

        var dagRun = await backend.Pipelines.TriggerAsync("train_evaluate", new() { Parameters = new() { ["epochs"] = 5 } });
        var done = await backend.Runs.WaitForCompletionAsync(dagRun, new() { Timeout = TimeSpan.FromHours(2) });
        #endregion

        done.Status.Should().Be(RunStatus.Succeeded);
        done.Params.Should().Contain("epochs", "5");
        var tracked = await backend.Runs.ListAsync(new RunQuery { ExperimentIds = [(await backend.Runs.GetExperimentByNameAsync("mnist")).Id] }).ToListAsync();
        tracked.Should().ContainSingle(r => r.Name == "cnn" && r.Status == RunStatus.Succeeded && r.Params["lr"] == "0.01" && r.Metrics["loss"] == 0.1);
    }

    private static Task<double> TrainEpochAsync(int epoch, CancellationToken cancellationToken)
        => Task.FromResult(1.0 / (epoch + 1));

    [Fact]
    public void Tracing_and_metrics_register_the_gateway_sources()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        #region Snippet:Readme_Tracing
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddMlopsGatewayInstrumentation().AddSource("System.Net.Http").AddOtlpExporter())
            .WithMetrics(m => m.AddMlopsGatewayInstrumentation().AddOtlpExporter());
        #endregion

        builder.Services.Should().Contain(d => d.ServiceType == typeof(TracerProvider));
    }
}
