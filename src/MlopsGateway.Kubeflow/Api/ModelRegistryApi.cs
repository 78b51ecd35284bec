namespace MlopsGateway.Kubeflow.Api;

/// <summary>
/// The Model Registry's three API areas, created once over the registry's own named client
/// (<c>Endpoints:ModelRegistry</c>: its own base URL, circuit breaker and concurrency limit).
/// </summary>
internal sealed record ModelRegistryApi(IModelRegistryModelsApi Models, IModelRegistryVersionsApi Versions, IModelRegistryArtifactsApi Artifacts);

/// <summary>The list order the gateway always asks the Model Registry for: by id, ascending, so page tokens walk a stable order.</summary>
internal static class MrListOrder
{
    public const string OrderBy = "ID";
    public const string SortOrder = "ASC";
}
