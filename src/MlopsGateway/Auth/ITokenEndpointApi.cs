using MlopsGateway.Http;
using Refit;

namespace MlopsGateway.Auth;

/// <summary>
/// The token endpoint of <c>Auth:Type TokenExchange</c> (Airflow 3's <c>POST /auth/token</c>, auth-manager spec):
/// the client's base address is the configured token URL itself, so the route is empty.
/// </summary>
internal interface ITokenEndpointApi
{
    /// <summary>Exchanges credentials for a JWT; answered 201 (Airflow 3) or 200 with <c>access_token</c>.</summary>
    [Post("")]
    [NotRetryable("each exchange is a login; the credential source re-obtains a token itself when one is rejected")]
    Task<TokenExchangeResponse> ExchangeAsync([Body] TokenExchangeRequest credentials, CancellationToken cancellationToken);
}
