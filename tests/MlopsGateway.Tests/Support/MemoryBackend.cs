using System.Collections.Concurrent;

namespace MlopsGateway.Tests.Support;

/// <summary>
/// An in-memory tracking backend for the core's routing and run-logging tests: records every call,
/// and lets a test make log-batch calls fail or block.
/// </summary>
internal sealed class MemoryBackend : MlopsBackendBase
{
    public MemoryBackend(BackendContext context, BackendLimits? limits = null) : base(context)
    {
        Capabilities = BackendCapabilities.Create(new Dictionary<MlopsCapability, CapabilitySupport>
        {
            [MlopsCapability.Experiments] = CapabilitySupport.Native,
            [MlopsCapability.RunTracking] = CapabilitySupport.Native,
            [MlopsCapability.RunRead] = CapabilitySupport.Native,
            [MlopsCapability.Params] = CapabilitySupport.Native,
            [MlopsCapability.Metrics] = CapabilitySupport.Native,
            [MlopsCapability.RunTags] = CapabilitySupport.Native,
            [MlopsCapability.RunCancel] = CapabilitySupport.Native,
            [MlopsCapability.Pipelines] = CapabilitySupport.Native,
            [MlopsCapability.PipelineTrigger] = CapabilitySupport.Native,
            [MlopsCapability.TaskRuns] = CapabilitySupport.Native,
        }, limits ?? new BackendLimits { MaxMetricsPerBatch = 1000, MaxParamsPerBatch = 100, MaxTagsPerBatch = 100, MaxEntitiesPerBatch = 1000, MaxKeyLength = 250, MaxParamValueLength = 6000, MaxTagValueLength = 8000 });
        Store = new MemoryRunClient(this);
        Runs = Store;
        Pipelines = new MemoryPipelineClient(this);
        Models = new UnsupportedModelRegistryClient(this, "Route Models to a registry backend.");
    }

    public MemoryRunClient Store { get; }
    public ConcurrentQueue<string> Calls { get; } = new();
    public override string Kind => "Memory";
    public override BackendCapabilities Capabilities { get; }
    public override IRunClient Runs { get; }
    public override IPipelineClient Pipelines { get; }
    public override IModelRegistryClient Models { get; }
    public override Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken = default) => Task.FromResult(BackendHealth.Healthy("memory"));

    public static BackendTypeRegistration Registration(BackendLimits? limits = null) => new()
    {
        Type = "Memory",
        RequiresBaseUrl = false,
        Factory = context => new MemoryBackend(context, limits),
    };
}

internal sealed class MemoryRunClient(MemoryBackend backend) : RunClientBase(backend)
{
    private readonly ConcurrentDictionary<string, Experiment> _experiments = new();
    private readonly ConcurrentDictionary<string, Run> _runs = new();
    private int _next;

    public ConcurrentQueue<RunLogBatch> Batches { get; } = new();
    public ConcurrentQueue<KeyValuePair<string, string>> TagWrites { get; } = new();
    public Func<RunLogBatch, CancellationToken, Task>? OnLogBatch { get; set; }
    public IReadOnlyDictionary<string, Run> AllRuns => _runs;

    public void AddDeletedExperiment(string name)
        => _experiments[name] = new Experiment { Backend = backend.Name, Id = "del-" + name, Name = name, State = LifecycleState.Deleted };

    public override Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"GetExperimentByName {name}");
        return _experiments.TryGetValue(name, out var e) ? Task.FromResult(e) : throw new MlopsNotFoundException($"no experiment {name}");
    }

    public override Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"CreateExperiment {name}");
        var e = new Experiment { Backend = backend.Name, Id = "e" + Interlocked.Increment(ref _next), Name = name };
        return _experiments.TryAdd(name, e) ? Task.FromResult(e) : throw new MlopsConflictException($"experiment {name} exists");
    }

    public override Task<Run> CreateRunAsync(string experimentId, RunCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"CreateRun {experimentId}");
        var run = new Run { Backend = backend.Name, Id = "r" + Interlocked.Increment(ref _next), Name = options?.Name, ExperimentId = experimentId, Status = RunStatus.Running };
        _runs[run.Id] = run;
        return Task.FromResult(run);
    }

    public override Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"Get {run.Id}");
        return _runs.TryGetValue(run.Id, out var r) ? Task.FromResult(r) : throw new MlopsNotFoundException($"no run {run.Id}");
    }

    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"List {query?.PipelineId}");
        return MlopsPageable<Run>.Create((_, _, _) => Task.FromResult(new MlopsPage<Run>(_runs.Values.ToList(), null)), 100, cancellationToken);
    }

    public override async Task LogBatchAsync(RunRef run, RunLogBatch batch, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"LogBatch {run.Id}");
        if (OnLogBatch is { } hook)
        {
            await hook(batch, cancellationToken);
        }
        Batches.Enqueue(batch);
        foreach (var tag in batch.Tags)
        {
            TagWrites.Enqueue(tag);
        }
    }

    public override Task<Run> EndAsync(RunRef run, RunStatus status, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"End {run.Id} {status}");
        var ended = _runs[run.Id] with { Status = status, RawStatus = status.ToString() };
        _runs[run.Id] = ended;
        return Task.FromResult(ended);
    }

    public override Task CancelAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"Cancel {run.Id}");
        _runs[run.Id] = _runs[run.Id] with { Status = RunStatus.Canceled };
        return Task.CompletedTask;
    }

    public void Add(Run run) => _runs[run.Id] = run;

    public void SetStatus(string id, RunStatus status) => _runs[id] = _runs[id] with { Status = status };
}

internal sealed class MemoryPipelineClient(MemoryBackend backend) : PipelineClientBase(backend)
{
    private int _next;

    public override Task<Run> TriggerAsync(string pipelineId, TriggerOptions? options = null, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"Trigger {pipelineId}");
        var run = new Run { Backend = backend.Name, Id = $"{pipelineId}/t{Interlocked.Increment(ref _next)}", PipelineId = pipelineId, Status = RunStatus.Queued };
        backend.Store.Add(run);
        return Task.FromResult(run);
    }

    public override MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        backend.Calls.Enqueue($"ListTaskRuns {run.Id}");
        return MlopsPageable<TaskRun>.Create((_, _, _) => Task.FromResult(new MlopsPage<TaskRun>([new TaskRun { Backend = backend.Name, RunId = run.Id, Id = "t1", Name = "step" }], null)), 10, cancellationToken);
    }
}
