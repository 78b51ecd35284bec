using System.Diagnostics;

namespace MlopsGateway.Local.Tests;

public sealed class KillTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Killing_the_process_mid_run_fails_its_runs_on_reopen_and_keeps_flushed_data()
    {
        var database = _dir.File("killed.db");
        var assembly = typeof(CrashChild).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", "--runtimeconfig", Path.ChangeExtension(assembly, ".runtimeconfig.json"), "--depsfile", Path.ChangeExtension(assembly, ".deps.json"), assembly, CrashChild.Verb, database })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start)!;
        string[] ready;
        try
        {
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            line.Should().StartWith("READY", await ReadErrorsAsync(child));
            ready = line!.Split(' ');
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }

        await using var reopened = LocalBackend.Open(database);
        var tracked = await reopened.Runs.GetAsync(ready[1]);
        tracked.Status.Should().Be(RunStatus.Failed, "its process was killed before the run ended");
        tracked.Tags.Should().ContainKey(Storage.Recovery.FailureTag);
        tracked.Params.Should().Contain("lr", "0.1");
        (await reopened.Runs.GetMetricHistoryAsync(tracked, "loss").ToListAsync()).Should().HaveCount(100, "everything flushed before the kill is kept");

        var pipelineRun = await reopened.Runs.GetAsync(ready[2]);
        pipelineRun.Status.Should().Be(RunStatus.Failed);
        var tasks = await reopened.Pipelines.ListTaskRunsAsync(pipelineRun).ToListAsync();
        tasks.Select(t => (t.Id, t.Status)).Should().Equal(("first", RunStatus.Succeeded), ("forever", RunStatus.Failed));
        (await reopened.Pipelines.ReadTaskLogAsync(pipelineRun, "forever").ToListAsync()).Should().Equal("working");
    }

    private static async Task<string> ReadErrorsAsync(Process child)
    {
        if (!child.HasExited)
        {
            return "the child process printed READY";
        }
        return await child.StandardError.ReadToEndAsync();
    }
}
