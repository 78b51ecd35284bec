using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Airflow.Api;

/// <summary>
/// Airflow's version endpoint, the dialect probe and the health check. Public in both dialects (Airflow 2 and 3
/// answer it without credentials), so it is sent without them: a health check or dialect probe never logs in, and
/// keeps answering while a token cannot be obtained.
/// </summary>
[Headers("Accept: application/json")]
internal interface IAirflowVersionApi
{
    /// <summary><paramref name="api"/> as in <see cref="IAirflowDagsApi"/>: the configured path, or <c>api/v2/</c> when probing.</summary>
    [Get("/{**api}version")]
    [Anonymous]
    Task<VersionDto> GetAsync(string api, CancellationToken ct);
}
