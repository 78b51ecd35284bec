using System.Text.Json;
using System.Text.Json.Nodes;
using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow;

/// <summary>
/// KFP recurring runs ("pipeline schedules"): create, list, get, enable, disable and delete. Get it with
/// <c>backend.GetService&lt;KubeflowSchedules&gt;()</c>. Cron
/// expressions use KFP's six fields, <b>seconds first</b>, and are checked before anything is sent.
/// </summary>
public sealed class KubeflowSchedules
{
    private readonly KubeflowBackend _backend;

    internal KubeflowSchedules(KubeflowBackend backend) => _backend = backend;

    /// <summary>Creates a recurring run of a pipeline; never retried once sent (a replay would create a second schedule).</summary>
    /// <param name="options">Pipeline, trigger (cron or interval), concurrency and parameters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MlopsValidationException">Invalid cron, interval or concurrency (checked before sending).</exception>
    public Task<KubeflowSchedule> CreateAsync(KubeflowScheduleOptions options, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Schedules.Create", () => CreateCoreAsync(options, cancellationToken), new OperationSubject(PipelineId: options?.PipelineId));

    private async Task<KubeflowSchedule> CreateCoreAsync(KubeflowScheduleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        MlopsGuard.NotBlank(options.PipelineId);
        MlopsGuard.NotBlank(options.Name);
        var context = _backend.Context;
        if ((options.Cron is null) == (options.Interval is null))
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, "Schedules.Create: set exactly one of Cron and Interval.", context);
        }
        if (options.Cron is not null && KfpCron.Validate(options.Cron) is { } cronError)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, "Schedules.Create: " + cronError, context);
        }
        if (options.Interval is { } interval && (interval < TimeSpan.FromSeconds(1) || interval.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, $"Schedules.Create: Interval must be a whole number of seconds, at least 1 (got {interval}).", context);
        }
        if (options.MaxConcurrency is < 1 or > 10)
        {
            throw MlopsErrors.Create(MlopsErrorKind.Validation, $"Schedules.Create: MaxConcurrency must be between 1 and 10 (got {options.MaxConcurrency}).", context);
        }
        var body = new KfpRecurringRun
        {
            DisplayName = options.Name,
            Description = options.Description,
            ExperimentId = options.ExperimentId,
            PipelineVersionReference = new KfpPipelineVersionReference { PipelineId = options.PipelineId, PipelineVersionId = options.VersionId },
            RuntimeConfig = options.Parameters is null ? null : new KfpRuntimeConfig { Parameters = options.Parameters.DeepClone().AsObject() },
            MaxConcurrency = KfpMapping.Int64(options.MaxConcurrency),
            Trigger = options.Cron is not null
                ? new KfpTrigger { CronSchedule = new KfpCronSchedule { Cron = options.Cron.Trim(), StartTime = KfpMapping.Timestamp(options.StartTime), EndTime = KfpMapping.Timestamp(options.EndTime) } }
                : new KfpTrigger { PeriodicSchedule = new KfpPeriodicSchedule { IntervalSecond = KfpMapping.Int64((long)options.Interval!.Value.TotalSeconds), StartTime = KfpMapping.Timestamp(options.StartTime), EndTime = KfpMapping.Timestamp(options.EndTime) } },
            Mode = options.Enabled ? "ENABLE" : "DISABLE",
            NoCatchup = options.NoCatchup ? true : null,
        };
        return ToSchedule(await _backend.RecurringRunsApi.CreateAsync(body, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Gets a recurring run; <see cref="MlopsNotFoundException"/> when there is none.</summary>
    /// <param name="scheduleId">The recurring run id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<KubeflowSchedule> GetAsync(string scheduleId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Schedules.Get", () => GetCoreAsync(scheduleId, cancellationToken));

    private async Task<KubeflowSchedule> GetCoreAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(scheduleId);
        return ToSchedule(await _backend.RecurringRunsApi.GetAsync(scheduleId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Lists recurring runs, of one experiment or of the configured namespace, newest first.</summary>
    /// <param name="experimentId">Only this experiment's schedules; without it the configured namespace is used (required when multi-user).</param>
    /// <param name="pageSize">Page size hint (at most 200).</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public MlopsPageable<KubeflowSchedule> ListAsync(string? experimentId = null, int? pageSize = null, CancellationToken cancellationToken = default)
        => _backend.Operations.List("Schedules.List", () => ListCoreAsync(experimentId, pageSize, cancellationToken));

    private MlopsPageable<KubeflowSchedule> ListCoreAsync(string? experimentId = null, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        var limits = _backend.Capabilities.Limits;
        return MlopsPageable<KubeflowSchedule>.Create(async (token, size, ct) =>
        {
            var ns = experimentId is null
                ? await _backend.RequireNamespaceAsync("Schedules.List", ct).ConfigureAwait(false)
                : _backend.Namespace;
            var page = await _backend.RecurringRunsApi.ListAsync(KfpMapping.NullIfEmpty(token), limits.ClampPageSize(size), "created_at desc", ns, experimentId, ct).ConfigureAwait(false);
            return new MlopsPage<KubeflowSchedule>((page.RecurringRuns ?? []).Select(ToSchedule).ToList(), KfpMapping.NullIfEmpty(page.NextPageToken));
        }, limits.ClampPageSize(pageSize), cancellationToken);
    }

    /// <summary>Enables a recurring run (<c>:enable</c>).</summary>
    /// <param name="scheduleId">The recurring run id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task EnableAsync(string scheduleId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Schedules.Enable", () => EnableCoreAsync(scheduleId, cancellationToken));

    private async Task EnableCoreAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(scheduleId);
        await _backend.RecurringRunsApi.EnableAsync(scheduleId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disables a recurring run (<c>:disable</c>); runs already started continue.</summary>
    /// <param name="scheduleId">The recurring run id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DisableAsync(string scheduleId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Schedules.Disable", () => DisableCoreAsync(scheduleId, cancellationToken));

    private async Task DisableCoreAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(scheduleId);
        await _backend.RecurringRunsApi.DisableAsync(scheduleId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a recurring run (the runs it started are kept).</summary>
    /// <param name="scheduleId">The recurring run id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteAsync(string scheduleId, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("Schedules.Delete", () => DeleteCoreAsync(scheduleId, cancellationToken));

    private async Task DeleteCoreAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        MlopsGuard.NotBlank(scheduleId);
        await _backend.RecurringRunsApi.DeleteAsync(scheduleId, cancellationToken).ConfigureAwait(false);
    }

    private KubeflowSchedule ToSchedule(KfpRecurringRun r) => new()
    {
        Backend = _backend.Name,
        Id = r.RecurringRunId ?? "",
        Name = r.DisplayName ?? "",
        Description = KfpMapping.NullIfEmpty(r.Description),
        PipelineId = KfpMapping.NullIfEmpty(r.PipelineVersionReference?.PipelineId),
        VersionId = KfpMapping.NullIfEmpty(r.PipelineVersionReference?.PipelineVersionId) ?? KfpMapping.NullIfEmpty(r.PipelineVersionId),
        ExperimentId = KfpMapping.NullIfEmpty(r.ExperimentId),
        Cron = KfpMapping.NullIfEmpty(r.Trigger?.CronSchedule?.Cron),
        Interval = KfpMapping.Int64(r.Trigger?.PeriodicSchedule?.IntervalSecond) is { } s ? TimeSpan.FromSeconds(s) : null,
        MaxConcurrency = (int)(KfpMapping.Int64(r.MaxConcurrency) ?? 1),
        Enabled = r.Status == "ENABLED" || (r.Status is null && r.Mode == "ENABLE"),
        Params = ParamFormatter.FormatAll(r.RuntimeConfig?.Parameters),
        CreatedAt = KfpMapping.Time(r.CreatedAt),
        UpdatedAt = KfpMapping.Time(r.UpdatedAt),
        Native = JsonSerializer.SerializeToElement(r, KfpJsonContext.Default.KfpRecurringRun),
    };
}

/// <summary>What to schedule: a pipeline (its latest version at each trigger unless a version is given) on a cron or an interval.</summary>
public sealed record KubeflowScheduleOptions
{
    /// <summary>The schedule's display name.</summary>
    public required string Name { get; init; }

    /// <summary>The pipeline to run.</summary>
    public required string PipelineId { get; init; }

    /// <summary>A fixed pipeline version; null runs the pipeline's latest version at each trigger.</summary>
    public string? VersionId { get; init; }

    /// <summary>The experiment the runs belong to (required on multi-user deployments).</summary>
    public string? ExperimentId { get; init; }

    /// <summary>Six-field cron, seconds first (<c>0 0 * * * *</c> = hourly), or a descriptor such as <c>@daily</c>. Set this or <see cref="Interval"/>.</summary>
    public string? Cron { get; init; }

    /// <summary>A fixed interval in whole seconds (at least 1). Set this or <see cref="Cron"/>.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>How many of its runs may run at once, 1–10.</summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>Run parameters (any JSON values), sent as <c>runtime_config.parameters</c>.</summary>
    public JsonObject? Parameters { get; init; }

    /// <summary>Whether the schedule starts enabled.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Skip the runs missed while disabled or before <see cref="StartTime"/> instead of catching up.</summary>
    public bool NoCatchup { get; init; }

    /// <summary>No runs before this time.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>No runs after this time.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Free text.</summary>
    public string? Description { get; init; }
}

/// <summary>A KFP recurring run as the gateway reads it (the original in <see cref="Native"/>).</summary>
public sealed record KubeflowSchedule
{
    /// <summary>The configured backend name this schedule came from.</summary>
    public required string Backend { get; init; }

    /// <summary>The recurring run id.</summary>
    public required string Id { get; init; }

    /// <summary>The display name.</summary>
    public required string Name { get; init; }

    /// <summary>Free text, when set.</summary>
    public string? Description { get; init; }

    /// <summary>The scheduled pipeline.</summary>
    public string? PipelineId { get; init; }

    /// <summary>The fixed version, or null for "latest at each trigger".</summary>
    public string? VersionId { get; init; }

    /// <summary>The experiment its runs go to.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>The six-field cron, when cron-triggered.</summary>
    public string? Cron { get; init; }

    /// <summary>The interval, when periodic.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>How many of its runs may run at once.</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>Whether the schedule is enabled (KFP <c>status</c> ENABLED).</summary>
    public bool Enabled { get; init; }

    /// <summary>The run parameters as strings (strings verbatim, other JSON compact), like <see cref="Run.Params"/>.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The recurring run exactly as KFP returned it.</summary>
    public JsonElement? Native { get; init; }
}
