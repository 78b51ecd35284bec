using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlopsGateway.Local;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>docs/local.md's C# blocks, run on Local.</summary>
public sealed class LocalSnippets
{
    [Fact]
    public async Task Pipelines_registered_at_start_up_run_on_trigger()
    {
        var builder = DocsHost.LocalBuilder();
        #region Snippet:Local_Register
        builder.Services
            .AddMlopsGateway(builder.Configuration.GetSection("Mlops"))
            .AddLocal(local => local.AddPipeline("train", p => p
                .Step("prepare", ctx => ctx.Log.WriteLine("preparing"))
                .Step("fit", async (ctx, ct) => await FitAsync(ctx.Parameters, ct))));
        #endregion
        using var host = builder.Build();
        var backend = host.Services.GetRequiredService<IMlopsBackend>();

        var run = await backend.Pipelines.TriggerAsync("train", null, DocsHost.Deadline());
        (await backend.Runs.WaitForCompletionAsync(run, new() { InitialPollInterval = TimeSpan.FromMilliseconds(20) }, null, DocsHost.Deadline()))
            .Status.Should().Be(RunStatus.Succeeded);
        (await backend.Pipelines.ReadTaskLogAsync(run, "prepare").ToListAsync()).Should().Contain("preparing");
    }

    private static Task FitAsync(JsonObject parameters, CancellationToken cancellationToken) => Task.CompletedTask;

    [Fact]
    public async Task A_backend_opened_without_DI_tracks_runs_in_a_file()
    {
        var directory = Directory.CreateTempSubdirectory("mlops-docs-").FullName;
        try
        {
            #region Snippet:Local_Open
            await using var local = LocalBackend.Open(Path.Combine(directory, "mlops.db"));   // or LocalBackend.InMemoryPath
            await local.Runs.RunAsync("exp", null, async (run, ct) => await run.LogMetricAsync("loss", 0.1, cancellationToken: ct));
            #endregion

            var experiment = await local.Runs.GetExperimentByNameAsync("exp");
            (await local.Runs.ListAsync(new RunQuery { ExperimentIds = [experiment.Id] }).ToListAsync())
                .Should().ContainSingle(r => r.Status == RunStatus.Succeeded && r.Metrics["loss"] == 0.1);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_pipeline_registered_at_run_time_logs_and_completes()
    {
        var builder = DocsHost.LocalBuilder();
        builder.Services.AddMlopsGateway(builder.Configuration.GetSection("Mlops")).AddLocal();
        using var host = builder.Build();
        var backend = host.Services.GetRequiredService<IMlopsBackend>();

        #region Snippet:Local_RegisterAtRunTime
        var pipelines = backend.GetService<LocalPipelineClient>()!;
        pipelines.Register("nightly", p =>
        {
            p.Description = "retrain and evaluate";
            p.Step("train", async (ctx, ct) =>
            {
                ctx.Log.WriteLine($"epochs={ctx.Parameters["epochs"]}");          // lands in the task log
                var rmse = new MetricPoint("rmse", 0.42, DateTimeOffset.UtcNow);
                await ctx.Backend.Runs.LogBatchAsync(ctx.Run, new RunLogBatch { Metrics = [rmse] }, ct);
            });
            p.Step("evaluate", ctx => ctx.Logger.LogInformation("done"));
        });
        var run = await backend.Pipelines.TriggerAsync("nightly", new() { Parameters = new() { ["epochs"] = 3 } });
        await backend.Runs.WaitForCompletionAsync(run);
        #endregion

        var done = await backend.Runs.GetAsync(run);
        done.Status.Should().Be(RunStatus.Succeeded);
        done.Metrics.Should().Contain("rmse", 0.42);
        (await backend.Pipelines.ReadTaskLogAsync(run, "train").ToListAsync()).Should().Contain("epochs=3");
        (await backend.Pipelines.ReadTaskLogAsync(run, "evaluate").ToListAsync()).Should().ContainMatch("*done*");
    }
}
