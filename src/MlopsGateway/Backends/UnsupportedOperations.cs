namespace MlopsGateway;

/// <summary>Builds the <see cref="MlopsNotSupportedException"/> a base client throws for an operation its backend lacks.</summary>
internal static class UnsupportedOperations
{
    public static MlopsNotSupportedException Create(BackendContext context, string kind, string operation, string hint)
        => new(context.Name, operation, $"the {kind} backend has no such operation. {hint}".Trim());
}
