using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>docs/concepts.md's C# blocks, run against the in-memory Local backend.</summary>
public sealed class ConceptsSnippets
{
    private static ServiceProvider LocalServices()
    {
        var services = new ServiceCollection();
        services.AddMlopsGateway(DocsHost.LocalConfiguration().GetSection("Mlops")).AddLocal();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_backend_has_three_sub_clients()
    {
        await using var services = LocalServices();
        #region Snippet:Concepts_SubClients
        IMlopsBackend backend = services.GetRequiredService<IMlopsBackend>();
        IRunClient runs = backend.Runs;                // experiments, runs, params, metrics, tags, artifacts
        IPipelineClient pipelines = backend.Pipelines; // pipelines, versions, trigger, task runs and logs
        IModelRegistryClient models = backend.Models;  // models, versions, aliases, stages, files
        #endregion

        new object[] { runs, pipelines, models }.Should().AllSatisfy(c => c.Should().NotBeNull());
    }

    [Fact]
    public async Task RunAsync_tracks_a_run_and_ends_it_Succeeded()
    {
        await using var services = LocalServices();
        var backend = services.GetRequiredService<IMlopsBackend>();

        #region Snippet:Concepts_RunAsync
        var run = await backend.Runs.RunAsync("mnist", new() { Name = "cnn" }, async (run, ct) =>
        {
            run.LogParam("lr", 0.01);
            for (var epoch = 0; epoch < 10; epoch++)
            {
                await run.LogMetricAsync("loss", Loss(epoch), step: epoch, cancellationToken: ct);   // waits when the buffer is full
            }
        });   // Succeeded when the delegate returns; Failed (and rethrown) when it throws
        #endregion

        run.Status.Should().Be(RunStatus.Succeeded);
        (await backend.Runs.GetMetricHistoryAsync(run, "loss").ToListAsync()).Should().HaveCount(10);
    }

    private static double Loss(int epoch) => 1.0 / (epoch + 1);

    [Fact]
    public async Task A_listing_is_enumerated_lazily()
    {
        await using var services = LocalServices();
        var backend = services.GetRequiredService<IMlopsBackend>();
        var experiment = await backend.Runs.CreateExperimentAsync("paging");
        var id = experiment.Id;
        await backend.Runs.CreateRunAsync(id, new() { Name = "first" });

        #region Snippet:Concepts_Paging
        await foreach (var run in backend.Runs.ListAsync(new RunQuery { ExperimentIds = [id], PageSize = 200 }))
        {
            Console.WriteLine($"{run.Name}: {run.Status}");
        }
        #endregion

        // The snippet prints; what it enumerated is checked the same way.
        (await backend.Runs.ListAsync(new RunQuery { ExperimentIds = [id], PageSize = 200 }).ToListAsync()).Should().ContainSingle(r => r.Name == "first");
    }
}
