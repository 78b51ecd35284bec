using System.Runtime.CompilerServices;
using MlopsGateway.Metaflow.Api;

namespace MlopsGateway.Metaflow;

/// <summary>
/// Flows as pipelines, and the steps and tasks of a run as task runs. Flows are not triggered, versioned,
/// paused or deleted through the metadata service.
/// </summary>
internal sealed class MetaflowPipelineClient(MetaflowBackend backend) : PipelineClientBase(backend)
{
    private static readonly MetaflowJsonContext Json = MetaflowJsonContext.Default;

    protected override string NotSupportedHint =>
        "Metaflow runs are launched by Metaflow's own runtime (`python flow.py run`) or its production schedulers (Argo Workflows, Step Functions, Airflow); the metadata service only records flows and runs. Route Pipelines to an Airflow, Kubeflow or Local backend to trigger, version or pause pipelines, and read task logs from Metaflow's datastore.";

    public override MlopsPageable<Pipeline> ListAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new PipelineQuery();
        var size = backend.Capabilities.Limits.ClampPageSize(query.PageSize);
        return new StreamingPageable<Pipeline>(ct => ListFlowsAsync(query, size, ct), size, cancellationToken);
    }

    public override async Task<Pipeline> GetAsync(string pipelineId, CancellationToken cancellationToken = default)
    {
        MetaflowValidation.Name(pipelineId, "flow name");
        return MetaflowMapper.ToPipeline(await backend.RunsApi.GetFlowAsync(pipelineId, cancellationToken).ConfigureAwait(false), backend.Name);
    }

    public override Task<Pipeline> GetByNameAsync(string name, CancellationToken cancellationToken = default)
        => GetAsync(name, cancellationToken);

    /// <summary>Every task of every step (the <c>_parameters</c> pseudo-step excluded), with its latest attempt's status and timings.</summary>
    public override MlopsPageable<TaskRun> ListTaskRunsAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var reference = MetaflowRunRef.Parse(MlopsGuard.RunId(run), Context);
        var size = backend.Capabilities.Limits.DefaultPageSize;
        return new StreamingPageable<TaskRun>(ct => ListTaskRunsAsync(reference, ct), size, cancellationToken);
    }

    private async IAsyncEnumerable<Pipeline> ListFlowsAsync(PipelineQuery query, int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        if (query.IsPaused == true)
        {
            yield break; // Flows have no scheduling switch in the metadata service: none is paused.
        }
        var flows = backend.Lists.ReadPagedAsync((cursor, c) => backend.RunsApi.ListFlowsAsync(pageSize, cursor, c), Json.FlowDto, ct);
        await foreach (var flow in flows.ConfigureAwait(false))
        {
            if (query.NameContains is { } part && !flow.FlowId.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (query.Tags.Count > 0 && !query.Tags.All(t => flow.Tags.Contains(t, StringComparer.Ordinal)))
            {
                continue;
            }
            yield return MetaflowMapper.ToPipeline(flow, backend.Name);
        }
    }

    private async IAsyncEnumerable<TaskRun> ListTaskRunsAsync(MetaflowRunRef run, [EnumeratorCancellation] CancellationToken ct)
    {
        // Lists under a missing run are 200 []: read the run first so a missing one is NotFound.
        await backend.RunsApi.GetRunAsync(run.Flow, run.Run, ct).ConfigureAwait(false);
        var attempts = new Dictionary<(string Step, string Task), TaskAttemptSummary>();
        await foreach (var row in backend.Lists.ReadAsync(c => backend.RecordsApi.ListRunMetadataAsync(run.Flow, run.Run, c), Json.MetadataDto, ct).ConfigureAwait(false))
        {
            if (row.FieldName is MetaflowStatus.AttemptField or MetaflowStatus.AttemptOkField or MetaflowStatus.AttemptDoneField)
            {
                var key = (row.StepName, row.TaskId.Value);
                if (!attempts.TryGetValue(key, out var summary))
                {
                    attempts[key] = summary = new TaskAttemptSummary();
                }
                summary.Add(row);
            }
        }
        var steps = new List<string>();
        await foreach (var step in backend.Lists.ReadAsync(c => backend.TasksApi.ListStepsAsync(run.Flow, run.Run, c), Json.StepDto, ct).ConfigureAwait(false))
        {
            if (step.StepName != "_parameters")
            {
                steps.Add(step.StepName);
            }
        }
        var now = backend.Context.TimeProvider.GetUtcNow();
        foreach (var step in steps)
        {
            var tasks = backend.Lists.ReadAsync(c => backend.TasksApi.ListTasksAsync(run.Flow, run.Run, step, c), Json.TaskDto, ct);
            await foreach (var task in tasks.ConfigureAwait(false))
            {
                var summary = attempts.GetValueOrDefault((step, task.TaskId.Value)) ?? new TaskAttemptSummary();
                yield return MetaflowMapper.ToTaskRun(task, backend.Name, summary, now);
            }
        }
    }
}
