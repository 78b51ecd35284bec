using MlopsGateway;

namespace Samples.MLflow;

/// <summary>
/// The paper's instrumentation, in .NET: an MNIST-style training loop that logs its hyper-parameters and a
/// metric per epoch through the buffered run helper, writes an artifact, registers the model version the
/// run produced and promotes it with the <c>champion</c> alias. Works against any backend with tracking and
/// a model registry (MLflow here).
/// </summary>
public static class MnistTraining
{
    /// <summary>Trains (simulated), logs, registers and promotes; returns the registered version.</summary>
    /// <param name="backend">The backend (MLflow).</param>
    /// <param name="log">Where progress lines go.</param>
    /// <param name="epochs">How many epochs to simulate.</param>
    /// <param name="cancellationToken">Cancels the run (it then ends Failed).</param>
    public static async Task<ModelVersion> RunAsync(IMlopsBackend backend, TextWriter log, int epochs = 10, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(log);
        const string experiment = "mnist";
        const string modelName = "mnist-cnn";
        var learningRate = 0.01;
        var random = new Random(42);

        // with mlflow.start_run(): log_param(...); log_metric(..., step=epoch)
        var run = await backend.Runs.RunAsync(experiment, new RunStartOptions { Name = "cnn" }, async (run, ct) =>
        {
            run.LogParam("learning_rate", learningRate);
            run.LogParam("batch_size", 64);
            run.LogParam("optimizer", "adam");
            run.SetTag("framework", "ml.net-style");

            var loss = 2.3;
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                loss *= 0.7 + (random.NextDouble() * 0.1);
                var accuracy = 1.0 - (loss / 2.5);
                await run.LogMetricAsync("loss", loss, step: epoch, cancellationToken: ct);
                await run.LogMetricAsync("accuracy", accuracy, step: epoch, cancellationToken: ct);
                await log.WriteLineAsync($"epoch {epoch}: loss={loss:F4} accuracy={accuracy:F4}");
            }
            await run.FlushAsync(ct);

            // The "trained model": a small file under model/, the conventional MLflow model directory.
            using var weights = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"weights after {epochs} epochs, loss {loss:F4}\n"));
            await backend.Runs.UploadArtifactAsync(run.Run, "model/weights.txt", weights, ct);
        }, cancellationToken);
        await log.WriteLineAsync($"run {run.Id} ended {run.Status}");

        // Register the model version the run produced, then promote it with an alias.
        try
        {
            await backend.Models.CreateModelAsync(modelName, new ModelCreateOptions { Description = "MNIST digit classifier" }, cancellationToken);
        }
        catch (MlopsConflictException)
        {
            // Registered by an earlier run of the sample: add a version to it.
        }
        var source = run.ArtifactLocation is { } root ? root + "/model" : $"runs:/{run.Id}/model";
        var version = await backend.Models.CreateVersionAsync(modelName, new ModelVersionCreateOptions { Source = source, Run = run }, cancellationToken);
        await backend.Models.SetAliasAsync(modelName, "champion", version.Version, cancellationToken);
        var champion = await backend.Models.GetVersionByAliasAsync(modelName, "champion", cancellationToken);
        await log.WriteLineAsync($"registered {modelName} version {champion.Version}, aliased 'champion'");
        return champion;
    }
}
