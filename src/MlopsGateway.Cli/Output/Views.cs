using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlopsGateway.Cli;

/// <summary>The tables several commands share (runs, tasks, key/value maps) and status styling.</summary>
internal static class Views
{
    /// <summary>A status, coloured by outcome when the console has colour.</summary>
    /// <param name="status">The status.</param>
    public static Markup Status(RunStatus status) => new(Markup.Escape(status.ToString()), StatusStyle(status));

    /// <summary>The colour of a status.</summary>
    /// <param name="status">The status.</param>
    public static Style StatusStyle(RunStatus status) => status switch
    {
        RunStatus.Succeeded => new Style(Color.Green),
        RunStatus.Failed => new Style(Color.Red),
        RunStatus.Running => new Style(Color.Blue),
        RunStatus.Queued or RunStatus.Paused => new Style(Color.Yellow),
        _ => new Style(Color.Grey),
    };

    /// <summary>A table with the tool's look.</summary>
    /// <param name="columns">Column headers.</param>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }
        return table;
    }

    /// <summary>Plain text that is never interpreted as markup.</summary>
    /// <param name="text">The text.</param>
    public static Text Plain(string? text) => new(text ?? "");

    /// <summary>One row per run: reference, name, status, start, duration, and where it belongs.</summary>
    /// <param name="runs">The runs.</param>
    /// <param name="now">The current time, for running durations.</param>
    public static Table Runs(IEnumerable<Run> runs, DateTimeOffset now)
    {
        var table = Table("RUN", "NAME", "STATUS", "STARTED", "DURATION", "EXPERIMENT/PIPELINE");
        foreach (var run in runs)
        {
            table.AddRow(Plain(RunReferences.Format(run)), Plain(run.Name), Status(run.Status), Plain(Format.Time(run.StartTime)),
                Plain(Format.Duration(run.StartTime, run.EndTime, now)), Plain(run.ExperimentId ?? run.PipelineId));
        }
        return table;
    }

    /// <summary>One row per task run.</summary>
    /// <param name="tasks">The tasks.</param>
    /// <param name="now">The current time, for running durations.</param>
    public static Table Tasks(IEnumerable<TaskRun> tasks, DateTimeOffset now)
    {
        var table = Table("TASK", "STATUS", "ATTEMPT", "STARTED", "DURATION");
        foreach (var task in tasks)
        {
            table.AddRow(Plain(task.Name), Status(task.Status), Plain(task.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Plain(Format.Time(task.StartTime)), Plain(Format.Duration(task.StartTime, task.EndTime, now)));
        }
        return table;
    }

    /// <summary>A titled two-column table of a map, sorted by key; nothing when the map is empty.</summary>
    /// <param name="title">The title.</param>
    /// <param name="map">The map.</param>
    public static IRenderable? Map(string title, IEnumerable<KeyValuePair<string, string>> map)
    {
        var rows = map.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (rows.Count == 0)
        {
            return null;
        }
        var table = Table(title, "VALUE");
        foreach (var (key, value) in rows)
        {
            table.AddRow(Plain(key), Plain(value));
        }
        return table;
    }
}
