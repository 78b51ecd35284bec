using Refit;

namespace MlopsGateway.Airflow.Api;

/// <summary>Airflow's version endpoint: the dialect probe and the health check.</summary>
[Headers("Accept: application/json")]
internal interface IAirflowVersionApi
{
    /// <summary><paramref name="api"/> as in <see cref="IAirflowDagsApi"/>: the configured path, or <c>api/v2/</c> when probing.</summary>
    [Get("/{**api}version")]
    Task<VersionDto> GetAsync(string api, CancellationToken ct);
}
