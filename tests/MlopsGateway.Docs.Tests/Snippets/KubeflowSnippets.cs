using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Kubeflow;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>docs/kubeflow.md's C# blocks that need a KFP server: compiled, and checked up to the request they would send.</summary>
public sealed class KubeflowSnippets
{
    [Fact]
    public async Task A_recurring_run_is_created_through_the_backend_specific_service()
    {
        var services = new ServiceCollection();
        services.AddMlopsGateway(o => o.Backends["kfp"] = new BackendOptions { Type = "Kubeflow", BaseUrl = "http://127.0.0.1:1/", Resilience = { MaxRetryAttempts = 0 } }).AddKubeflow();
        await using var provider = services.BuildServiceProvider();
        var backend = provider.GetRequiredService<IMlopsBackend>();
        var id = "pipeline-id";

        var act = async () =>
        {
            #region Snippet:Kubeflow_Schedules
            var schedules = backend.GetService<KubeflowSchedules>()!;
            await schedules.CreateAsync(new KubeflowScheduleOptions { Name = "nightly", PipelineId = id, Cron = "0 0 2 * * *" });
            #endregion
        };

        // No server listens on port 1: reaching the network proves the options passed the client-side checks.
        await act.Should().ThrowAsync<MlopsUnavailableException>();
    }
}
