using System.Text;

namespace MlopsGateway.Cli.Tests;

/// <summary>Seeds tracked runs through the library, the way a training job would.</summary>
internal static class Seed
{
    /// <summary>A finished run with params, a loss history of <paramref name="points"/> steps, an accuracy, a tag and one artifact.</summary>
    public static Task<Run> RunAsync(IMlopsBackend backend, string experiment, string name, double accuracy, int points = 3, string lr = "0.01", string artifact = "model/weights.json")
        => backend.Runs.RunAsync(experiment, new RunStartOptions { Name = name, FlushInterval = TimeSpan.Zero }, async (run, ct) =>
        {
            run.LogParam("lr", lr);
            run.LogParam("epochs", points);
            run.SetTag("team", "vision");
            for (var step = 0; step < points; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }
            run.LogMetric("accuracy", accuracy, points - 1);
            using var content = new MemoryStream(Encoding.UTF8.GetBytes($"weights of {name}"));
            await backend.Runs.UploadArtifactAsync(run.Run, artifact, content, ct);
        });
}
