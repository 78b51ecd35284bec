using System.CommandLine;
using System.Threading.Channels;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlopsGateway.Cli;

/// <summary>
/// Waits for a run to finish (the gateway's <see cref="IRunClient.WaitForCompletionAsync"/>) while showing it:
/// a live view of the run and its task states on a terminal, one line per change when redirected, nothing with
/// <c>--json</c>. Shared by <c>runs wait</c> and <c>pipelines trigger --wait</c>.
/// </summary>
internal sealed class RunWatcher
{
    /// <summary><c>--timeout</c>.</summary>
    public Option<TimeSpan?> Timeout { get; } = new("--timeout")
    {
        Description = "Give up waiting after this long (500ms, 30s, 10m, 2h); exit code 1. Default: wait until the run ends.",
        CustomParser = r => ArgumentParsers.Duration(r),
        HelpName = "DURATION",
    };

    /// <summary><c>--fail-on</c>.</summary>
    public Option<IReadOnlyList<RunStatus>> FailOn { get; } = new("--fail-on")
    {
        Description = "Terminal statuses that make the exit code 1 (comma-separated).",
        CustomParser = ArgumentParsers.Statuses,
        DefaultValueFactory = _ => [RunStatus.Failed, RunStatus.Canceled],
        HelpName = "STATUSES",
    };

    /// <summary><c>--poll-interval</c>.</summary>
    public Option<TimeSpan> PollInterval { get; } = new("--poll-interval")
    {
        Description = "Longest delay between polls (polling backs off from a quarter of it).",
        CustomParser = ArgumentParsers.Duration,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        HelpName = "DURATION",
    };

    /// <summary>Adds the wait options to a command.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        command.Add(Timeout);
        command.Add(FailOn);
        command.Add(PollInterval);
    }

    /// <summary>Waits for <paramref name="run"/>, shows it, writes the outcome, and returns the exit code.</summary>
    /// <param name="session">The session.</param>
    /// <param name="parse">The parse result holding the wait options.</param>
    /// <param name="run">The run to wait for.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    public async Task<int> WaitAsync(CliSession session, ParseResult parse, Run run, CancellationToken cancellationToken)
    {
        var backend = session.Get(run.Backend, "the run's backend");
        var poll = parse.GetValue(PollInterval);
        var timeout = parse.GetValue(Timeout);
        var options = new WaitOptions { Timeout = timeout, MaxPollInterval = poll, InitialPollInterval = poll / 4 };
        var snapshots = Channel.CreateUnbounded<Run>(new UnboundedChannelOptions { SingleReader = true });
        var waiting = backend.Runs.WaitForCompletionAsync(run, options, new ChannelProgress(snapshots.Writer), cancellationToken);
        _ = waiting.ContinueWith(_ => snapshots.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var view = new View(session.Terminal, backend, run);
        await view.FollowAsync(snapshots.Reader, cancellationToken);
        Run final;
        try
        {
            final = await waiting;
        }
        catch (TimeoutException)
        {
            throw new CliFailureException($"run {RunReferences.Format(view.Last)} did not finish within {Format.Span(timeout!.Value)} (last status {view.Last.Status}).");
        }
        var tasks = await view.TasksAsync(final, cancellationToken);
        var failOn = parse.GetValue(FailOn) ?? [];
        var failed = failOn.Contains(final.Status);
        var outcome = failed ? "failed" : "succeeded";
        if (session.Terminal.Json)
        {
            session.Terminal.WriteJson(new WaitEnvelope(RunJson.From(final), [.. tasks.Select(TaskJson.From)], outcome), CliJsonContext.Default.WaitEnvelope);
        }
        else
        {
            if (tasks.Count > 0 && !session.Terminal.Interactive) // on a terminal the live view's last frame already shows them
            {
                session.Terminal.Render(Views.Tasks(tasks, DateTimeOffset.UtcNow));
            }
            session.Terminal.Line($"run {RunReferences.Format(final)} {final.Status}" +
                $"{(final.RawStatus is { } raw && !string.Equals(raw, final.Status.ToString(), StringComparison.OrdinalIgnoreCase) ? $" ({raw})" : "")}" +
                $" after {Format.Duration(final.StartTime, final.EndTime, DateTimeOffset.UtcNow)}");
        }
        return failed ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private sealed class ChannelProgress(ChannelWriter<Run> writer) : IProgress<Run>
    {
        public void Report(Run value) => writer.TryWrite(value);
    }

    /// <summary>What the watcher shows while the run goes on.</summary>
    private sealed class View(Terminal terminal, IMlopsBackend backend, Run run)
    {
        private readonly Dictionary<string, RunStatus> _shownTasks = new(StringComparer.Ordinal);
        private RunStatus? _shownStatus;

        public Run Last { get; private set; } = run;

        public async Task<IReadOnlyList<TaskRun>> TasksAsync(Run current, CancellationToken cancellationToken)
            => backend.Capabilities.Supports(MlopsCapability.TaskRuns)
                ? await backend.Pipelines.ListTaskRunsAsync(current, cancellationToken).ToListAsync(cancellationToken)
                : [];

        public async Task FollowAsync(ChannelReader<Run> snapshots, CancellationToken cancellationToken)
        {
            if (terminal.Json)
            {
                await foreach (var snapshot in snapshots.ReadAllAsync(cancellationToken))
                {
                    Last = snapshot;
                }
                return;
            }
            if (!terminal.Interactive)
            {
                await foreach (var snapshot in snapshots.ReadAllAsync(cancellationToken))
                {
                    Last = snapshot;
                    PrintChanges(snapshot, await TasksAsync(snapshot, cancellationToken));
                }
                return;
            }
            await terminal.Console.Live(Render(Last, [])).AutoClear(false).StartAsync(async live =>
            {
                await foreach (var snapshot in snapshots.ReadAllAsync(cancellationToken))
                {
                    Last = snapshot;
                    live.UpdateTarget(Render(snapshot, await TasksAsync(snapshot, cancellationToken)));
                    live.Refresh();
                }
            });
        }

        private static IRenderable Render(Run current, IReadOnlyList<TaskRun> tasks)
        {
            var now = DateTimeOffset.UtcNow;
            var header = new Markup($"[bold]{Markup.Escape(RunReferences.Format(current))}[/] {(current.Name is { } name ? Markup.Escape(name) + " " : "")}" +
                $"[{Views.StatusStyle(current.Status).Foreground.ToMarkup()}]{current.Status}[/] {Markup.Escape(Format.Duration(current.StartTime, current.EndTime, now))}");
            return tasks.Count == 0 ? header : new Rows(header, Views.Tasks(tasks, now));
        }

        private void PrintChanges(Run current, IReadOnlyList<TaskRun> tasks)
        {
            var stamp = DateTimeOffset.UtcNow.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            if (_shownStatus != current.Status)
            {
                _shownStatus = current.Status;
                terminal.Line($"{stamp} run {RunReferences.Format(current)} {current.Status}");
            }
            foreach (var task in tasks)
            {
                if (!_shownTasks.TryGetValue(task.Id, out var shown) || shown != task.Status)
                {
                    _shownTasks[task.Id] = task.Status;
                    terminal.Line($"{stamp}   task {task.Name} {task.Status}");
                }
            }
        }
    }
}
