using System.CommandLine;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlopsGateway.Cli;

/// <summary><c>mlops runs …</c>: list, show, compare, metric, wait, logs, cancel, retry.</summary>
internal static class RunsCommands
{
    public static Command Create(CommandContext context) => new("runs", "Runs: tracked (MLflow, Local, Metaflow) and orchestrated (Airflow, Kubeflow, Local).")
    {
        List(context),
        Show(context),
        Compare(context),
        Metric(context),
        Wait(context),
        Logs(context),
        Cancel(context),
        Retry(context),
    };

    /// <summary>Reads the run an argument names, from the backend that owns it.</summary>
    internal static async Task<(IMlopsBackend Backend, Run Run)> GetRunAsync(CliSession session, string argument, CancellationToken cancellationToken)
    {
        var reference = RunReferences.Parse(argument);
        var backend = session.For(reference);
        return (backend, await backend.Runs.GetAsync(reference, cancellationToken));
    }

    /// <summary>The <c>RUN</c> argument: a run id, or <c>backend:id</c> as the tool prints it.</summary>
    private static Argument<string> RunArgument(string name = "RUN") => new(name) { Description = "The run: its id, or backend:id as mlops prints it." };

    private static Command List(CommandContext context)
    {
        var experiment = new Option<string?>("--experiment", "-e") { Description = "Only runs of this experiment (name or id).", HelpName = "NAME" };
        var pipeline = new Option<string?>("--pipeline", "-p") { Description = "Only runs of this pipeline (DAG id, KFP pipeline id, flow name).", HelpName = "ID" };
        var status = new Option<IReadOnlyList<RunStatus>>("--status", "-s") { Description = "Only runs in these statuses (comma-separated).", CustomParser = ArgumentParsers.Statuses, HelpName = "STATUSES" };
        var filter = new Option<string?>("--filter", "-f") { Description = "Only runs matching a condition, e.g. \"metrics.accuracy >= 0.9 and params.lr = 0.01\".", HelpName = "CONDITION" };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many runs (newest first where the backend orders so).", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List runs.") { experiment, pipeline, status, filter, limit };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var max = parse.GetValue(limit);
            if (max < 1)
            {
                throw new CliUsageException("--limit must be at least 1.");
            }
            if (parse.GetValue(experiment) is not null && parse.GetValue(pipeline) is not null)
            {
                throw new CliUsageException("give --experiment or --pipeline, not both.");
            }
            var condition = parse.GetValue(filter) is { } text ? RunCondition.Parse(text, "--filter") : null;
            var query = new RunQuery
            {
                PipelineId = parse.GetValue(pipeline),
                Statuses = parse.GetValue(status) ?? [],
                PageSize = Math.Min(max, session.Backend.Capabilities.Limits.MaxPageSize),
            };
            if (parse.GetValue(experiment) is { } name)
            {
                query = query with { ExperimentIds = [(await ExperimentsCommands.FindAsync(session.Backend.Runs, name, cancellationToken)).Id] };
            }
            if (condition is not null)
            {
                query = condition.ApplyTo(query);
            }
            var runs = new List<Run>();
            await foreach (var run in session.Backend.Runs.ListAsync(query, cancellationToken))
            {
                if (condition is null || condition.Clauses.All(c => c.Holds(run)))
                {
                    runs.Add(run);
                    if (runs.Count == max)
                    {
                        break;
                    }
                }
            }
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new RunsEnvelope([.. runs.Select(RunJson.From)]), CliJsonContext.Default.RunsEnvelope);
            }
            else
            {
                session.Terminal.Render(Views.Runs(runs, DateTimeOffset.UtcNow));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CommandContext context)
    {
        var runArgument = RunArgument();
        var command = new Command("show", "Show a run: status, params, latest metrics, tags and artifacts.") { runArgument };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var (backend, run) = await GetRunAsync(session, parse.GetValue(runArgument)!, cancellationToken);
            var artifacts = backend.Capabilities.Supports(MlopsCapability.Artifacts)
                ? await ArtifactTree.ListFilesAsync(backend.Runs, run, cancellationToken).ToListAsync(cancellationToken)
                : [];
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new RunDetailEnvelope(RunJson.From(run), [.. artifacts.Select(a => new ArtifactJson(a.Path, a.Size))]), CliJsonContext.Default.RunDetailEnvelope);
                return ExitCodes.Ok;
            }
            var header = new Grid().AddColumn().AddColumn();
            void Row(string label, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    header.AddRow(new Text(label, new Style(decoration: Decoration.Bold)), Views.Plain(value));
                }
            }
            Row("run", RunReferences.Format(run));
            Row("name", run.Name);
            header.AddRow(new Text("status", new Style(decoration: Decoration.Bold)), Views.Status(run.Status));
            Row("raw status", run.RawStatus);
            Row("started", Format.Time(run.StartTime));
            Row("ended", Format.Time(run.EndTime));
            Row("duration", Format.Duration(run.StartTime, run.EndTime, DateTimeOffset.UtcNow));
            Row("experiment", run.ExperimentId);
            Row("pipeline", run.PipelineId is null ? null : run.PipelineId + (run.PipelineVersionId is { } v ? $" (version {v})" : ""));
            Row("artifacts at", run.ArtifactLocation);
            session.Terminal.Render(header);
            foreach (var section in new[]
            {
                Views.Map("PARAM", run.Params),
                Views.Map("METRIC", run.Metrics.Select(m => KeyValuePair.Create(m.Key, Format.Number(m.Value)))),
                Views.Map("TAG", run.Tags),
            })
            {
                if (section is not null)
                {
                    session.Terminal.Render(section);
                }
            }
            if (artifacts.Count > 0)
            {
                session.Terminal.Render(ArtifactTree.Render(artifacts));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Compare(CommandContext context)
    {
        var runsArgument = new Argument<string[]>("RUN") { Description = "Two or more runs (id or backend:id).", Arity = new ArgumentArity(2, 100) };
        var command = new Command("compare", "Compare runs side by side: params and latest metrics, differences highlighted.") { runsArgument };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var references = parse.GetValue(runsArgument)!.Select(RunReferences.Parse).ToList();
            var runs = await Task.WhenAll(references.Select(r => session.For(r).Runs.GetAsync(r, cancellationToken)));
            var paramKeys = runs.SelectMany(r => r.Params.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var metricKeys = runs.SelectMany(r => r.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var parameters = paramKeys.Select(k =>
            {
                var values = runs.Select(r => r.Params.TryGetValue(k, out var v) ? v : null).ToList();
                return new ComparedParamJson(k, values, values.Distinct().Count() > 1);
            }).ToList();
            var metrics = metricKeys.Select(k =>
            {
                var values = runs.Select(r => r.Metrics.TryGetValue(k, out var v) ? v : (double?)null).ToList();
                return new ComparedMetricJson(k, values, values.Distinct().Count() > 1);
            }).ToList();
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new CompareEnvelope([.. runs.Select(RunReferences.Format)], parameters, metrics), CliJsonContext.Default.CompareEnvelope);
                return ExitCodes.Ok;
            }
            var table = Views.Table(["", "KEY", .. runs.Select(RunReferences.Format)]);
            var differs = new Style(Color.Yellow, decoration: Decoration.Bold);
            void Add(string key, IEnumerable<string> values, bool different)
                => table.AddRow([Views.Plain(different ? "≠" : ""), new Text(key, different ? differs : Style.Plain),
                    .. values.Select(v => (IRenderable)new Text(v, different ? differs : Style.Plain))]);
            table.AddRow([new Text(""), new Text("status", new Style(decoration: Decoration.Bold)), .. runs.Select(r => (IRenderable)Views.Status(r.Status))]);
            foreach (var p in parameters)
            {
                Add("params." + p.Key, p.Values.Select(v => v ?? "—"), p.Differs);
            }
            foreach (var m in metrics)
            {
                Add("metrics." + m.Key, m.Values.Select(v => v is { } d ? Format.Number(d) : "—"), m.Differs);
            }
            session.Terminal.Render(table);
            session.Terminal.Line($"{parameters.Count(p => p.Differs) + metrics.Count(m => m.Differs)} of {parameters.Count + metrics.Count} values differ (marked ≠).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Metric(CommandContext context)
    {
        var runArgument = RunArgument();
        var key = new Argument<string>("KEY") { Description = "The metric name." };
        var command = new Command("metric", "Print a metric's full history (step, value, time); a chart on a terminal.") { runArgument, key };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var (backend, run) = await GetRunAsync(session, parse.GetValue(runArgument)!, cancellationToken);
            var metric = parse.GetValue(key)!;
            var points = await backend.Runs.GetMetricHistoryAsync(run, metric, cancellationToken).ToListAsync(cancellationToken);
            if (points.Count == 0 && !run.Metrics.ContainsKey(metric))
            {
                throw new MlopsNotFoundException($"run {RunReferences.Format(run)} has no metric '{metric}'" +
                    (run.Metrics.Count == 0 ? "." : $" (metrics: {string.Join(", ", run.Metrics.Keys.Order(StringComparer.Ordinal))})."));
            }
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(new MetricHistoryEnvelope(RunReferences.Format(run), metric, [.. points.Select(p => new MetricPointJson(p.Step, p.Value, p.Timestamp))]),
                    CliJsonContext.Default.MetricHistoryEnvelope);
                return ExitCodes.Ok;
            }
            if (session.Terminal.Interactive && points.Count > 1)
            {
                session.Terminal.Render(Sparkline.Render(metric, points));
            }
            var table = Views.Table("STEP", "VALUE", "TIME");
            foreach (var point in points)
            {
                table.AddRow(Views.Plain(point.Step.ToString(System.Globalization.CultureInfo.InvariantCulture)), Views.Plain(Format.Number(point.Value)), Views.Plain(Format.Time(point.Timestamp)));
            }
            session.Terminal.Render(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Wait(CommandContext context)
    {
        var runArgument = RunArgument();
        var watcher = new RunWatcher();
        var command = new Command("wait", "Wait for a run to finish, showing its task states; exit code 1 when it ends in a --fail-on status or times out.") { runArgument };
        watcher.AddTo(command);
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var (_, run) = await GetRunAsync(session, parse.GetValue(runArgument)!, cancellationToken);
            return await watcher.WaitAsync(session, parse, run, cancellationToken);
        });
        return command;
    }

    private static Command Logs(CommandContext context)
    {
        var runArgument = RunArgument();
        var task = new Argument<string>("TASK") { Description = "The task: its id or its name." };
        var follow = new Option<bool>("--follow", "-F") { Description = "Keep reading until the task ends (tail a running task)." };
        var attempt = new Option<int?>("--attempt") { Description = "The attempt whose log to read (default: the latest)." };
        var command = new Command("logs", "Print a task's log; --json writes one {\"task\",\"line\"} object per line.") { runArgument, task, follow, attempt };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var (backend, run) = await GetRunAsync(session, parse.GetValue(runArgument)!, cancellationToken);
            var taskId = await ResolveTaskAsync(backend, run, parse.GetValue(task)!, cancellationToken);
            var options = new TaskLogOptions { Follow = parse.GetValue(follow), Attempt = parse.GetValue(attempt) };
            await foreach (var line in backend.Pipelines.ReadTaskLogAsync(run, taskId, options, cancellationToken))
            {
                if (session.Terminal.Json)
                {
                    session.Terminal.WriteJsonLine(new LogLineJson(taskId, line), CliJsonContext.Default.LogLineJson);
                }
                else
                {
                    session.Terminal.Line(line);
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The task id for what the user typed: a task id as is, else the id of the task with that name.</summary>
    private static async Task<string> ResolveTaskAsync(IMlopsBackend backend, Run run, string task, CancellationToken cancellationToken)
    {
        if (!backend.Capabilities.Supports(MlopsCapability.TaskRuns))
        {
            return task;
        }
        var tasks = await backend.Pipelines.ListTaskRunsAsync(run, cancellationToken).ToListAsync(cancellationToken);
        return tasks.FirstOrDefault(t => t.Id == task)?.Id
            ?? tasks.LastOrDefault(t => t.Name == task)?.Id
            ?? throw new MlopsNotFoundException($"run {RunReferences.Format(run)} has no task '{task}'" +
                (tasks.Count == 0 ? "." : $" (tasks: {string.Join(", ", tasks.Select(t => t.Name).Distinct())})."));
    }

    private static Command Cancel(CommandContext context)
    {
        var runArgument = RunArgument();
        var command = new Command("cancel", "Ask the backend to stop a run (Airflow marks it failed; a finished run is left as is).") { runArgument };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var (backend, run) = await GetRunAsync(session, parse.GetValue(runArgument)!, cancellationToken);
            await backend.Runs.CancelAsync(run, cancellationToken);
            var after = await backend.Runs.GetAsync(run, cancellationToken);
            return Print(session, after, $"cancel requested for run {RunReferences.Format(after)}; status now {after.Status}");
        });
        return command;
    }

    private static Command Retry(CommandContext context)
    {
        var runArgument = RunArgument();
        var command = new Command("retry", "Re-run the failed parts of a run (Airflow clear, Kubeflow retry, Local).") { runArgument };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var (backend, run) = await GetRunAsync(session, parse.GetValue(runArgument)!, cancellationToken);
            var after = await backend.Runs.RetryAsync(run, cancellationToken);
            return Print(session, after, $"retry requested for run {RunReferences.Format(after)}; status now {after.Status}");
        });
        return command;
    }

    private static int Print(CliSession session, Run run, string message)
    {
        if (session.Terminal.Json)
        {
            session.Terminal.WriteJson(new RunEnvelope(RunJson.From(run)), CliJsonContext.Default.RunEnvelope);
        }
        else
        {
            session.Terminal.Line(message);
        }
        return ExitCodes.Ok;
    }
}
