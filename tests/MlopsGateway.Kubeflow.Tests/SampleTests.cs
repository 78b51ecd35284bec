using System.Diagnostics;
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
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var directory = Path.Combine(SharedPaths.RepoRoot, "samples", "Kubeflow", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(directory, "Kubeflow.dll"));
        start.Environment["Mlops__Backends__kubeflow__BaseUrl"] = fake.BaseUri.ToString();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        process.ExitCode.Should().Be(0, await errors);
        (await output).Should().Contain("Uploaded pipeline mlops-gateway-hello")
            .And.Contain("message=hello from .NET, times=3")
            .And.Contain("finished Succeeded")
            .And.Contain("task train");
        var upload = fake.Server.Requests.Single(r => r.Path == "/apis/v2beta1/pipelines/upload");
        upload.Body.Should().Contain("pipelineInfo:").And.Contain("name: hello-pipeline");
    }
}
