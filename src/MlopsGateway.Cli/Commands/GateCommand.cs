using System.CommandLine;

namespace MlopsGateway.Cli;

/// <summary><c>mlops gate</c>: pass or fail a CI step on a run's metric, with one line saying why.</summary>
internal static class GateCommand
{
    public static Command Create(CommandContext context)
    {
        var run = new Option<string?>("--run", "-r") { Description = "The run to check (id or backend:id).", HelpName = "RUN" };
        var experiment = new Option<string?>("--experiment", "-e") { Description = "Check the newest succeeded run of this experiment instead of --run.", HelpName = "NAME" };
        var metric = new Option<string>("--metric", "-m") { Description = "The metric (its latest value is checked).", Required = true, HelpName = "KEY" };
        var min = new Option<double?>("--min") { Description = "Pass only when the metric is at least this.", HelpName = "NUMBER" };
        var max = new Option<double?>("--max") { Description = "Pass only when the metric is at most this.", HelpName = "NUMBER" };
        var command = new Command("gate", "Exit 0 when a run's metric is within bounds, 1 otherwise, with one line saying why.") { run, experiment, metric, min, max };
        context.Handle(command, async (session, parse, cancellationToken) =>
        {
            var (low, high) = (parse.GetValue(min), parse.GetValue(max));
            if (low is null && high is null)
            {
                throw new CliUsageException("give --min, --max or both.");
            }
            var target = await FindRunAsync(session, parse.GetValue(run), parse.GetValue(experiment), cancellationToken);
            var key = parse.GetValue(metric)!;
            var reference = RunReferences.Format(target);
            GateEnvelope result;
            if (!target.Metrics.TryGetValue(key, out var value))
            {
                var logged = target.Metrics.Count == 0 ? "none" : string.Join(", ", target.Metrics.Keys.Order(StringComparer.Ordinal));
                result = new GateEnvelope(false, reference, key, null, low, high, $"FAIL: run {reference} has no metric '{key}' (logged: {logged}).");
            }
            else
            {
                var tooLow = low is { } l && !(value >= l);   // NaN fails every bound
                var tooHigh = high is { } h && !(value <= h);
                var passed = !tooLow && !tooHigh;
                var bound = tooLow ? $"< {Format.Number(low!.Value)} (--min)"
                    : tooHigh ? $"> {Format.Number(high!.Value)} (--max)"
                    : string.Join(" and ", new[] { low is { } a ? $">= {Format.Number(a)}" : null, high is { } b ? $"<= {Format.Number(b)}" : null }.OfType<string>());
                result = new GateEnvelope(passed, reference, key, value, low, high, $"{(passed ? "PASS" : "FAIL")}: {key} = {Format.Number(value)} {bound} on run {reference}.");
            }
            if (session.Terminal.Json)
            {
                session.Terminal.WriteJson(result, CliJsonContext.Default.GateEnvelope);
            }
            else
            {
                session.Terminal.Line(result.Message);
            }
            return result.Passed ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static async Task<Run> FindRunAsync(CliSession session, string? run, string? experiment, CancellationToken cancellationToken)
    {
        if ((run is null) == (experiment is null))
        {
            throw new CliUsageException("give exactly one of --run and --experiment.");
        }
        if (run is not null)
        {
            return (await RunsCommands.GetRunAsync(session, run, cancellationToken)).Run;
        }
        var runs = session.Backend.Runs;
        var found = await ExperimentsCommands.FindAsync(runs, experiment!, cancellationToken);
        var query = new RunQuery
        {
            ExperimentIds = [found.Id],
            Statuses = [RunStatus.Succeeded],
            OrderBy = [new RunOrdering(RunSortField.StartTime, Descending: true)],
            PageSize = 1,
        };
        await foreach (var newest in runs.ListAsync(query, cancellationToken))
        {
            return newest;
        }
        throw new MlopsNotFoundException($"experiment '{found.Name}' has no succeeded run.");
    }
}
