namespace MlopsGateway;

/// <summary>
/// Supplies bearer tokens for a backend from the application (a cloud identity, a vault). Register one
/// as a keyed singleton under the backend's name; a backend with <c>Auth:Type = Bearer</c> and no
/// configured token then uses it, and asks again (with <c>forceRefresh</c>) once after a 401.
/// </summary>
public interface IMlopsTokenProvider
{
    /// <summary>Returns a token to send as <c>Authorization: Bearer …</c>.</summary>
    /// <param name="forceRefresh">True after the server rejected the previous token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<string> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken);
}
