using MlopsGateway.MLflow.Tests.Fake;

namespace MlopsGateway.MLflow.Tests;

/// <summary>
/// docs/getting-started.md shows samples/GettingStarted/Program.cs verbatim (a compiled snippet): run as a
/// reader would, against an MLflow server, it logs a finished run and prints its spans.
/// </summary>
public sealed class GettingStartedTests
{
    [Fact]
    public async Task The_getting_started_program_logs_a_run_on_MLflow_and_prints_its_trace()
    {
        await using var fake = await MLflowFake.StartAsync();

        var (exitCode, text, errors) = await SampleProgram.RunAsync("GettingStarted", new Dictionary<string, string?>
        {
            ["MLFLOW_TRACKING_URI"] = fake.BaseUri.ToString().TrimEnd('/'),
        });

        exitCode.Should().Be(0, errors);
        text.Should().MatchRegex(@"Run \w+: Succeeded\. See it at http://127\.0\.0\.1:\d+/#/experiments/\w+/runs/\w+");
        text.Should().Contain("Activity.DisplayName:        Runs.Start", "the console exporter prints the gateway's spans")
            .And.Contain("Activity.DisplayName:        Runs.End")
            .And.Contain("mlops.backend.name: mlflow");
        text.Should().Contain("Activity.DisplayName:        POST", "HTTP client spans sit under the gateway's");
        fake.ApiRequests.Select(r => $"{r.Method} {r.Path}").Should().Contain([
            "POST /api/2.0/mlflow/experiments/create",
            "POST /api/2.0/mlflow/runs/create",
            "POST /api/2.0/mlflow/runs/log-batch",
            "POST /api/2.0/mlflow/runs/update",
        ]);
    }
}
