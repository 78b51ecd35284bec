using MlopsGateway.MLflow.Tests.Fake;
using Samples.MLflow;

namespace MlopsGateway.MLflow.Tests;

/// <summary>The MLflow sample's training loop runs against the fake end to end.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task Mnist_sample_logs_a_finished_run_registers_a_version_and_aliases_it_champion()
    {
        await using var h = await MLflowHarness.StartAsync();
        var log = new StringWriter();

        var champion = await MnistTraining.RunAsync(h.Backend, log, epochs: 5);

        champion.Version.Should().Be("1");
        champion.Aliases.Should().Contain("champion");
        var run = await h.Runs.GetAsync(champion.RunId!);
        run.Status.Should().Be(RunStatus.Succeeded);
        run.Params.Should().Contain("learning_rate", "0.01").And.Contain("batch_size", "64");
        (await h.Runs.GetMetricHistoryAsync(run, "loss").ToListAsync()).Select(p => p.Step).Should().Equal(0, 1, 2, 3, 4);
        (await h.Runs.ListArtifactsAsync(run, "model").ToListAsync()).Should().ContainSingle(a => a.Path == "model/weights.txt");
        await using (var file = await h.Models.DownloadVersionFileAsync("mnist-cnn", "1", "weights.txt"))
        {
            (await new StreamReader(file).ReadToEndAsync()).Should().StartWith("weights after 5 epochs");
        }
        log.ToString().Should().Contain("aliased 'champion'");

        // A second run adds version 2 to the existing model and moves the alias.
        (await MnistTraining.RunAsync(h.Backend, log, epochs: 2)).Version.Should().Be("2");
        (await h.Models.GetModelAsync("mnist-cnn")).Aliases["champion"].Should().Be("2");
    }

    [Fact]
    public async Task Sample_program_runs_against_the_server_named_by_MLFLOW_TRACKING_URI()
    {
        await using var fake = await MLflowFake.StartAsync();

        var (exitCode, output, errors) = await SampleProgram.RunAsync("MLflow", new Dictionary<string, string?>
        {
            ["MLFLOW_TRACKING_URI"] = fake.BaseUri.ToString(),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
        });

        exitCode.Should().Be(0, errors);
        output.Should().Contain("epoch 9:").And.Contain("registered mnist-cnn version 1, aliased 'champion'");
        fake.ApiRequests.Should().Contain(r => r.Path.EndsWith("/registered-models/alias", StringComparison.Ordinal) && r.Method == "POST");
    }
}
