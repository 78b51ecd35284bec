using System.CommandLine;
using Spectre.Console;

namespace MlopsGateway.Cli;

/// <summary><c>mlops copy runs</c>: copy an experiment's (or pipeline's) finished runs to another backend, idempotently.</summary>
internal static class CopyCommand
{
    public static Command Create(CommandContext context)
    {
        var from = new Option<string>("--from") { Description = "The backend to copy from.", Required = true, HelpName = "BACKEND" };
        var to = new Option<string>("--to") { Description = "The backend to copy to (it must track runs: MLflow or Local).", Required = true, HelpName = "BACKEND" };
        var experiment = new Option<string>("--experiment", "-e")
        {
            Description = "The experiment to copy, created on the target when missing. On a source without experiments (Airflow, Metaflow) it names the pipeline (DAG id, flow) whose runs are copied.",
            Required = true,
            HelpName = "NAME",
        };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only runs started at or after this date (ISO 8601; UTC unless an offset is given).", CustomParser = r => ArgumentParsers.Date(r), HelpName = "DATE" };
        var runs = new Command("runs", "Copy finished runs with params, tags, full metric histories and artifacts. A re-run copies nothing twice.") { from, to, experiment, since };
        context.Handle(runs, async (session, parse, cancellationToken) =>
        {
            var source = session.Get(parse.GetValue(from)!, "--from");
            var target = session.Get(parse.GetValue(to)!, "--to");
            if (ReferenceEquals(source, target))
            {
                throw new CliUsageException("--from and --to name the same backend.");
            }
            if (!target.Capabilities.Supports(MlopsCapability.RunTracking) || !target.Capabilities.Supports(MlopsCapability.Experiments))
            {
                throw new CliUsageException($"--to: the {target.Kind} backend '{target.Name}' cannot record tracked runs in experiments; copy to an MLflow or Local backend.");
            }
            var name = parse.GetValue(experiment)!;
            var copier = new RunCopier(source, target);
            var sourceRuns = await copier.ListSourceRunsAsync(name, parse.GetValue(since), cancellationToken);
            var (targetExperiment, copies) = await copier.PrepareTargetAsync(name, cancellationToken);
            var results = new List<CopiedRunJson>();

            async Task CopyAllAsync(Action<CopyStep> onStep, Action onRunDone)
            {
                var progress = new SynchronousProgress(onStep);
                foreach (var run in sourceRuns)
                {
                    var origin = RunReferences.Format(run);
                    copies.TryGetValue(origin, out var existing);
                    if (existing is not null && RunCopier.IsComplete(existing))
                    {
                        results.Add(Skipped(origin, existing, "already copied"));
                    }
                    else if (!run.IsTerminal)
                    {
                        results.Add(Skipped(origin, null, $"not finished ({run.Status})"));
                    }
                    else
                    {
                        results.Add(await copier.CopyAsync(run, targetExperiment, existing, progress, cancellationToken));
                    }
                    onRunDone();
                }
            }

            if (session.Terminal.Interactive && sourceRuns.Count > 0)
            {
                await session.Terminal.Console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn(), new TransferSpeedColumn())
                    .StartAsync(async progress =>
                    {
                        var overall = progress.AddTask($"copying {sourceRuns.Count} runs {source.Name} → {target.Name}", maxValue: sourceRuns.Count);
                        await CopyAllAsync(
                            step =>
                            {
                                if (step.Description is { } text)
                                {
                                    overall.Description = Markup.Escape(text);
                                }
                            },
                            () => overall.Increment(1));
                        overall.Description = $"copied {source.Name} → {target.Name}";
                    });
            }
            else
            {
                await CopyAllAsync(_ => { }, () =>
                {
                    if (session.Terminal.Human)
                    {
                        var last = results[^1];
                        session.Terminal.Line($"{last.Result,-7} {last.Source} → {last.Target ?? "—"}{(last.Reason is null ? "" : $" ({last.Reason})")}");
                    }
                });
            }

            var envelope = new CopyEnvelope(source.Name, target.Name, name, results.Count(r => r.Result == "copied"), results.Count(r => r.Result == "skipped"), results);
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(envelope, CliJsonContext.Default.CopyEnvelope);
            }
            else
            {
                Summarize(session.Terminal, envelope);
            }
            return ExitCodes.Ok;
        });
        return new Command("copy", "Copy between backends.") { runs };
    }

    private static CopiedRunJson Skipped(string origin, Run? existing, string reason)
        => new(origin, existing is null ? null : RunReferences.Format(existing), "skipped", reason, 0, 0, 0, 0, 0);

    private static void Summarize(Terminal terminal, CopyEnvelope envelope)
    {
        if (envelope.Runs.Count > 0)
        {
            var table = Views.Table("SOURCE", "TARGET", "RESULT", "PARAMS", "METRIC POINTS", "TAGS", "ARTIFACTS", "BYTES");
            foreach (var run in envelope.Runs)
            {
                table.AddRow(Views.Plain(run.Source), Views.Plain(run.Target ?? "—"),
                    run.Result == "copied" ? new Markup("[green]copied[/]") : Views.Plain("skipped: " + run.Reason),
                    Views.Plain(Count(run.Params)), Views.Plain(Count(run.MetricPoints)), Views.Plain(Count(run.Tags)), Views.Plain(Count(run.Artifacts)), Views.Plain(Format.Bytes(run.Bytes)));
            }
            terminal.Render(table);
        }
        terminal.Line($"{envelope.Copied} copied, {envelope.Skipped} skipped, from '{envelope.From}' to '{envelope.To}' (experiment '{envelope.Experiment}').");
    }

    private static string Count(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reports on the copying thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool and may reorder).</summary>
    private sealed class SynchronousProgress(Action<CopyStep> report) : IProgress<CopyStep>
    {
        public void Report(CopyStep value) => report(value);
    }
}
