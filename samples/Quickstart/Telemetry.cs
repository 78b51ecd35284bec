using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace Samples.Quickstart;

/// <summary>Collects finished spans so the Quickstart can print them (the SDK's in-memory and console exporters are not used here).</summary>
internal sealed class SpanCollectingProcessor : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _spans = new();

    public override void OnEnd(Activity data) => _spans.Enqueue(data);

    /// <summary>Prints the spans as trees, one per trace (children under their parent, in start order), with duration, status and the run id.</summary>
    public void Print(TextWriter output)
    {
        var spans = _spans.ToArray();
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var children = spans.ToLookup(s => ids.Contains(s.ParentSpanId) ? s.ParentSpanId : default);
        output.WriteLine($"Spans ({spans.Length}) in {children[default].Count()} traces (the Quickstart's steps and the 'MlopsGateway' source):");
        foreach (var root in children[default].OrderBy(s => s.StartTimeUtc))
        {
            Write(root, 1);
        }
        output.WriteLine();

        void Write(Activity span, int depth)
        {
            var runId = span.GetTagItem("mlops.run.id") as string;
            var status = span.Status == ActivityStatusCode.Error ? $" ERROR {span.GetTagItem("error.type")}" : "";
            var name = new string(' ', depth * 2) + span.DisplayName;
            output.WriteLine($"{name,-36} {span.Duration.TotalMilliseconds,8:F1} ms{status}{(runId is null ? "" : $"  run={runId}")}");
            foreach (var child in children[span.SpanId].OrderBy(s => s.StartTimeUtc))
            {
                Write(child, depth + 1);
            }
        }
    }
}

/// <summary>The --fresh option: deletes the Quickstart's Local database (with its WAL files) and artifact directory.</summary>
internal static class Fresh
{
    public static void Delete(string databasePath)
    {
        foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }
        var artifacts = MlopsGateway.Local.LocalBackend.DefaultArtifactsPath(databasePath);
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }
        Console.WriteLine($"--fresh: removed {Path.GetFullPath(databasePath)} and its artifacts.");
    }
}
