using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlopsGateway;

/// <summary>An <see cref="IHealthCheck"/> over one configured backend's <see cref="IMlopsBackend.CheckHealthAsync"/>; registered as <c>mlops:{name}</c>.</summary>
internal sealed class MlopsBackendHealthCheck(IMlopsBackendProvider provider, string name) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var health = await provider.Get(name).CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object>(health.Data ?? new Dictionary<string, object>());
            if (health.ServerVersion is not null)
            {
                data["serverVersion"] = health.ServerVersion;
            }
            return health.IsHealthy
                ? HealthCheckResult.Healthy(health.Description, data)
                : new HealthCheckResult(context.Registration.FailureStatus, health.Description, data: data);
        }
        catch (MlopsException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, ex.Message, ex);
        }
    }
}
