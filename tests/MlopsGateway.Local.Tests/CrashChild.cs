namespace MlopsGateway.Local.Tests;

/// <summary>
/// The test assembly's entry point (the test SDK's generated one is turned off). The test host never
/// calls it; <see cref="KillTests"/> starts this assembly as a child process with <c>crash-child DB</c>
/// to get a real process that writes to a Local database and is then killed mid-run.
/// </summary>
public static class CrashChild
{
    public const string Verb = "crash-child";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 2 || args[0] != Verb)
        {
            return 2;
        }
        var backend = LocalBackend.Open(args[1]);
        var experiment = await backend.Runs.CreateExperimentAsync("killed");
        var run = await backend.Runs.CreateRunAsync(experiment.Id);
        await backend.Runs.LogBatchAsync(run, new RunLogBatch
        {
            Params = [new("lr", "0.1")],
            Metrics = [.. Enumerable.Range(0, 100).Select(i => new MetricPoint("loss", 1.0 / (i + 1), DateTimeOffset.UnixEpoch.AddSeconds(i), i))],
        });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        backend.Pipelines.Register("hang", p => p
            .Step("first", ctx => ctx.Log.WriteLine("first done"))
            .Step("forever", async (ctx, ct) =>
            {
                ctx.Log.WriteLine("working");
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }));
        var pipelineRun = await backend.Pipelines.TriggerAsync("hang");
        await started.Task;
        await Console.Out.WriteLineAsync($"READY {run.Id} {pipelineRun.Id}");
        await Console.Out.FlushAsync();
        await Task.Delay(Timeout.Infinite); // until killed
        return 0;
    }
}
