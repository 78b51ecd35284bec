using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// Runs on Kubeflow Pipelines: experiments (Delete/Restore archive/unarchive), reading, listing, cancelling,
/// retrying and deleting runs. Runs are created by
/// <see cref="IPipelineClient.TriggerAsync"/>; there is no tracking (no StartAsync, params logging or metrics).
/// </summary>
internal sealed class KubeflowRunClient(KubeflowBackend backend) : RunClientBase(backend)
{
    private IKfpExperimentsApi Experiments => backend.ExperimentsApi;

    private IKfpRunsApi RunsApi => backend.RunsApi;

    protected override string NotSupportedHint
        => "Kubeflow Pipelines has no run tracking, tags or metrics (they live in MLMD): route Runs tracking to an MLflow backend and trigger pipelines on Kubeflow.";

    // ---- experiments --------------------------------------------------------------------------------

    public override async Task<Experiment> CreateExperimentAsync(string name, ExperimentCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(name);
        var ns = await backend.RequireNamespaceAsync("Runs.CreateExperiment", cancellationToken).ConfigureAwait(false);
        var created = await Experiments.CreateAsync(
            new KfpExperimentCreate { DisplayName = name, Description = options?.Description, Namespace = ns },
            cancellationToken).ConfigureAwait(false);
        return KfpMapping.ToExperiment(created, Backend.Name);
    }

    public override async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(experimentId);
        return KfpMapping.ToExperiment(await Experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false), Backend.Name);
    }

    public override async Task<Experiment> GetExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(name);
        var ns = await backend.RequireNamespaceAsync("Runs.GetExperimentByName", cancellationToken).ConfigureAwait(false);
        var filter = KfpFilters.ToJson([KfpFilters.Equals("display_name", name)]);
        var page = await Experiments.ListAsync(null, 2, null, filter, ns, cancellationToken).ConfigureAwait(false);
        var match = page.Experiments?.FirstOrDefault(e => e.DisplayName == name)
            ?? throw MlopsErrors.Create(MlopsErrorKind.NotFound, $"Runs.GetExperimentByName: no experiment named '{name}' on backend '{Backend.Name}'.", Context, 404);
        return KfpMapping.ToExperiment(match, Backend.Name);
    }

    public override MlopsPageable<Experiment> ListExperimentsAsync(ExperimentQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ExperimentQuery();
        var predicates = new List<KfpPredicate>();
        if (!string.IsNullOrEmpty(query.NameContains))
        {
            predicates.Add(KfpFilters.Substring("display_name", query.NameContains));
        }
        if (!query.IncludeDeleted)
        {
            predicates.Add(new KfpPredicate { Key = "storage_state", Operation = "NOT_EQUALS", StringValue = "ARCHIVED" });
        }
        var filter = KfpFilters.ToJson(predicates);
        return MlopsPageable<Experiment>.Create(async (token, size, ct) =>
        {
            var ns = await backend.RequireNamespaceAsync("Runs.ListExperiments", ct).ConfigureAwait(false);
            var page = await Experiments.ListAsync(KfpMapping.NullIfEmpty(token), Limits.ClampPageSize(size), "created_at desc", filter, ns, ct).ConfigureAwait(false);
            return new MlopsPage<Experiment>(
                (page.Experiments ?? []).Select(e => KfpMapping.ToExperiment(e, Backend.Name)).ToList(),
                KfpMapping.NullIfEmpty(page.NextPageToken));
        }, Limits.ClampPageSize(query.PageSize), cancellationToken);
    }

    /// <summary>KFP's soft delete: archives the experiment (its runs are archived and its recurring runs disabled).</summary>
    public override Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(experimentId);
        return Experiments.ArchiveAsync(experimentId, cancellationToken);
    }

    /// <summary>Unarchives the experiment.</summary>
    public override Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(experimentId);
        return Experiments.UnarchiveAsync(experimentId, cancellationToken);
    }

    // ---- runs ---------------------------------------------------------------------------------------

    public override async Task<Run> GetAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        return KfpMapping.ToRun(await RunsApi.GetAsync(run.Id, cancellationToken).ConfigureAwait(false), Backend.Name);
    }

    public override MlopsPageable<Run> ListAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        var plan = KfpRunQuery.Plan(query, Context);
        var pageable = MlopsPageable<Run>.Create(async (token, size, ct) =>
        {
            var ns = plan.ExperimentId is null
                ? await backend.RequireNamespaceAsync("Runs.List", ct).ConfigureAwait(false)
                : backend.Namespace;
            var page = await RunsApi.ListAsync(ns, plan.ExperimentId, KfpMapping.NullIfEmpty(token), Limits.ClampPageSize(size), plan.SortBy, plan.Filter, ct).ConfigureAwait(false);
            return new MlopsPage<Run>(
                (page.Runs ?? []).Select(r => KfpMapping.ToRun(r, Backend.Name)).ToList(),
                KfpMapping.NullIfEmpty(page.NextPageToken));
        }, Limits.ClampPageSize(query.PageSize), cancellationToken);
        return plan.ClientFilter is { } predicate ? pageable.Where(predicate) : pageable;
    }

    /// <summary><c>POST /runs/{id}:terminate</c>: the run goes CANCELING (read as Running), then CANCELED.</summary>
    public override Task CancelAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        return RunsApi.TerminateAsync(run.Id, cancellationToken);
    }

    /// <summary><c>POST /runs/{id}:retry</c> (failed or terminated runs: restarts the failed nodes of the same run), then reads it back.</summary>
    public override async Task<Run> RetryAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        await RunsApi.RetryAsync(run.Id, cancellationToken).ConfigureAwait(false);
        return await GetAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the run; deleting a run that is already gone succeeds (idempotent).</summary>
    public override async Task DeleteAsync(RunRef run, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        try
        {
            await RunsApi.DeleteAsync(run.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (MlopsNotFoundException)
        {
            // Already deleted: the outcome the caller asked for.
        }
    }

    private BackendLimits Limits => Backend.Capabilities.Limits;
}
