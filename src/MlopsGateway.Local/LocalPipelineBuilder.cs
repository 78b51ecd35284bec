using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace MlopsGateway.Local;

/// <summary>One step of a Local pipeline: receives its context (parameters, log, run) and a token cancelled when the run is cancelled.</summary>
/// <param name="context">The step's run, parameters and log.</param>
/// <param name="cancellationToken">Cancelled when the run is cancelled or the backend is disposed.</param>
public delegate Task LocalStepHandler(LocalStepContext context, CancellationToken cancellationToken);

/// <summary>Collects the named steps of a Local pipeline, in execution order (see <see cref="LocalPipelineClient.Register"/>).</summary>
public sealed class LocalPipelineBuilder
{
    private readonly List<LocalStep> _steps = [];

    internal LocalPipelineBuilder()
    {
    }

    internal IReadOnlyList<LocalStep> Steps => _steps;

    /// <summary>The pipeline's description, shown on <see cref="Pipeline.Description"/>.</summary>
    public string? Description { get; set; }

    /// <summary>Appends a step. Steps run one after another; a step that throws fails the run and later steps are skipped.</summary>
    /// <param name="name">The step (task) name, unique in the pipeline: letters, digits, '.', '_' and '-'.</param>
    /// <param name="handler">The work; it should honour its cancellation token.</param>
    /// <returns>This builder, for chaining.</returns>
    public LocalPipelineBuilder Step(string name, LocalStepHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!LocalPipelineClient.IsValidName(name))
        {
            throw MlopsGuard.Invalid($"Step name '{name}' must be 1 to 100 letters, digits, '.', '_' or '-'.");
        }
        if (_steps.Any(s => s.Name == name))
        {
            throw MlopsGuard.Invalid($"The pipeline already has a step named '{name}'.");
        }
        _steps.Add(new LocalStep(name, handler));
        return this;
    }

    /// <summary>Appends a synchronous step.</summary>
    /// <param name="name">The step name.</param>
    /// <param name="handler">The work.</param>
    /// <returns>This builder, for chaining.</returns>
    public LocalPipelineBuilder Step(string name, Action<LocalStepContext> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Step(name, ToAsync(handler));
    }

    internal static LocalStepHandler ToAsync(Action<LocalStepContext> handler) => (context, _) =>
    {
        handler(context);
        return Task.CompletedTask;
    };
}

internal sealed record LocalStep(string Name, LocalStepHandler Handler);

/// <summary>What a Local pipeline step gets: its run, the trigger parameters, its attempt, and a log that lands in the task log.</summary>
public sealed class LocalStepContext
{
    internal LocalStepContext(IMlopsBackend backend, Run run, string stepName, int attempt, JsonObject parameters, TextWriter log)
    {
        Backend = backend;
        Run = run;
        StepName = stepName;
        Attempt = attempt;
        Parameters = parameters;
        Log = log;
        Logger = new TaskLogLogger(log);
    }

    /// <summary>The backend running the step: log metrics or upload artifacts to <see cref="Run"/> through its <see cref="IMlopsBackend.Runs"/>.</summary>
    public IMlopsBackend Backend { get; }

    /// <summary>The pipeline run (as it read when the step started).</summary>
    public Run Run { get; }

    /// <summary>The step's name (its task id).</summary>
    public string StepName { get; }

    /// <summary>The attempt number, 1 on the first execution and one more on every retry of the step.</summary>
    public int Attempt { get; }

    /// <summary>The trigger parameters (a copy; changing it does not affect other steps).</summary>
    public JsonObject Parameters { get; }

    /// <summary>Writes to the task log; every completed line is stored at once and readable with <see cref="IPipelineClient.ReadTaskLogAsync"/>.</summary>
    public TextWriter Log { get; }

    /// <summary>An <see cref="ILogger"/> writing <c>[Level] message</c> lines to <see cref="Log"/>.</summary>
    public ILogger Logger { get; }

    private sealed class TaskLogLogger(TextWriter log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            log.WriteLine($"[{logLevel}] {formatter(state, exception)}");
            if (exception is not null)
            {
                log.WriteLine($"[{logLevel}] {exception.GetType().Name}: {exception.Message}");
            }
        }
    }
}
