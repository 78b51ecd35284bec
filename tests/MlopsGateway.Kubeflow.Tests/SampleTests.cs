using MlopsGateway.Kubeflow.Tests.Fakes;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>The Kubeflow sample program runs end to end against the fake, configured by environment variables only.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task Sample_uploads_runs_with_parameters_waits_and_prints_task_states()
    {
        await using var fake = await KubeflowFake.StartAsync();
        fake.StepOnEveryRunRead = true;
        fake.SucceedByDefault = true;

        var (exitCode, output, errors) = await SampleProgram.RunAsync("Kubeflow", new Dictionary<string, string?>
        {
            ["Mlops__Backends__kubeflow__BaseUrl"] = fake.BaseUri.ToString(),
        });

        exitCode.Should().Be(0, errors);
        output.Should().Contain("Uploaded pipeline mlops-gateway-hello")
            .And.Contain("message=hello from .NET, times=3")
            .And.Contain("finished Succeeded")
            .And.Contain("task train");
        var upload = fake.Server.Requests.Single(r => r.Path == "/apis/v2beta1/pipelines/upload");
        upload.Body.Should().Contain("pipelineInfo:").And.Contain("name: hello-pipeline");
    }
}
