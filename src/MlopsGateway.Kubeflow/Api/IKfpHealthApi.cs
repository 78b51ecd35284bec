using Refit;

namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// KFP's health endpoint: whether the server answers, its version (<c>tag_name</c>) and whether it runs multi-user,
/// which decides whether namespace-scoped calls need the <c>Namespace</c> setting.
/// </summary>
internal interface IKfpHealthApi
{
    [Get("/apis/v2beta1/healthz")]
    Task<KfpHealthz> GetAsync(CancellationToken ct);
}
