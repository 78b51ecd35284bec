using System.Reflection;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>The adapter's declared REST endpoints: every method of the Refit interfaces in <c>MlopsGateway.Kubeflow.Api</c>.</summary>
internal static class ApiEndpoints
{
    public static IReadOnlyList<(string Name, MethodInfo Method, Refit.HttpMethodAttribute Http)> All { get; } =
        typeof(KubeflowBackend).Assembly.GetTypes()
            .Where(t => t.IsInterface && t.Namespace == "MlopsGateway.Kubeflow.Api")
            .SelectMany(t => t.GetMethods().Select(m => ($"{t.Name}.{m.Name}", m, m.GetCustomAttribute<Refit.HttpMethodAttribute>()!)))
            .ToList();
}
