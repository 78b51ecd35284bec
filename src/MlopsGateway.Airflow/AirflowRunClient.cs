using MlopsGateway.Airflow.Api;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow;

/// <summary>
/// Airflow DAG runs as <see cref="Run"/>s: get, list (one DAG or all), cancel (state set to
/// <c>failed</c>, so a cancelled run reads back Failed), retry (clear) and delete. Experiment tracking
/// is not Airflow's: those operations throw <see cref="MlopsNotSupportedException"/> suggesting MLflow.
/// </summary>
internal sealed class AirflowRunClient(AirflowBackend backend) : RunClientBase(backend)
{
    private AirflowApi Api => backend.Api;

    /// <inheritdoc/>
    protected override string NotSupportedHint =>
        "Airflow has no experiment tracking: route Runs to an MLflow backend (Mlops:Routing:Runs) for experiments, params, metrics, tags and artifacts; " +
        "start Airflow runs with Pipelines.TriggerAsync.";

    /// <inheritdoc/>
    public override async Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var (dagId, dagRunId) = backend.ParseRunId(run.Id);
        var dto = await Api.GetDagRunAsync(dagId, dagRunId, cancellationToken).ConfigureAwait(false);
        return AirflowMapping.ToRun(dto, Context.Name);
    }

    /// <inheritdoc/>
    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        if (query.ExperimentIds.Count > 0 || query.Tags is { Count: > 0 } || query.Metrics.Count > 0 || query.Params.Count > 0 || query.NativeFilter is not null)
        {
            throw new MlopsNotSupportedException(Context.Name, "Runs.List",
                "Airflow DAG runs have no experiments, tags, metrics, param predicates or filter language; filter by PipelineId, Statuses and start time. " + NotSupportedHint);
        }
        var orderBy = query.OrderBy.Select(o => o.Field switch
        {
            RunSortField.StartTime => "start_date",
            RunSortField.EndTime => "end_date",
            RunSortField.Name => "dag_run_id",
            _ => throw new MlopsNotSupportedException(Context.Name, "Runs.List", $"Airflow cannot order DAG runs by {o.Field}; order by StartTime, EndTime or Name."),
        } is var field && o.Descending ? "-" + field : field).ToList();
        var states = query.Statuses.Select(AirflowMapping.RunStateFilter).OfType<string>().Distinct().ToList();
        if (query.Statuses.Count > 0 && states.Count == 0)
        {
            // Only states Airflow never reports (Canceled, Skipped, Paused, Unknown): nothing can match.
            return MlopsPageable<Run>.Empty;
        }
        var filter = new DagRunListFilter(states, query.StartedAfter, query.StartedBefore, orderBy);
        var pageable = AirflowPaging.Create(Api, query.PageSize,
            async (offset, limit, ct) =>
            {
                var dialect = await Api.GetDialectAsync(ct).ConfigureAwait(false);
                if (dialect.IsV1 && filter.OrderBy.Count > 1)
                {
                    throw MlopsErrors.Create(MlopsErrorKind.Validation, "Airflow 2 (API v1) orders DAG runs by one field only; give one RunOrdering.", Context);
                }
                return await Api.ListDagRunsAsync(query.PipelineId, filter, offset, limit, ct).ConfigureAwait(false);
            },
            dto => AirflowMapping.ToRun(dto, Context.Name),
            cancellationToken);
        return query.StartedBefore is { } before ? pageable.Where(r => r.StartTime is null || r.StartTime < before) : pageable;
    }

    /// <summary>Sets the DAG run's state to <c>failed</c> (Airflow has no cancelled state; the run reads back Failed).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override async Task CancelAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var (dagId, dagRunId) = backend.ParseRunId(run.Id);
        await Api.SetDagRunStateAsync(dagId, dagRunId, "failed", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Clears the DAG run (<c>dry_run=false</c>) so the scheduler runs its tasks again; returns the cleared run.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override async Task<Run> RetryAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var (dagId, dagRunId) = backend.ParseRunId(run.Id);
        var dto = await Api.ClearDagRunAsync(dagId, dagRunId, cancellationToken).ConfigureAwait(false);
        return AirflowMapping.ToRun(dto, Context.Name);
    }

    /// <summary>Deletes the DAG run; deleting a run that is already gone succeeds (delete is idempotent).</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public override async Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        var (dagId, dagRunId) = backend.ParseRunId(run.Id);
        try
        {
            await Api.DeleteDagRunAsync(dagId, dagRunId, cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsNotFoundException e) when (e is not MlopsEndpointNotFoundException)
        {
            // Already deleted: the outcome the caller asked for (a route the server lacks is not).
        }
    }
}
