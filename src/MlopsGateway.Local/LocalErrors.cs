namespace MlopsGateway.Local;

/// <summary>The exceptions the Local backend raises for what it detects itself, stamped with backend and operation.</summary>
internal static class LocalErrors
{
    public static MlopsNotFoundException NotFound(BackendContext context, string operation, string message)
        => new(message, Details(context, operation, "RESOURCE_DOES_NOT_EXIST"));

    public static MlopsConflictException Conflict(BackendContext context, string operation, string message)
        => new(message, Details(context, operation, "RESOURCE_ALREADY_EXISTS"));

    public static MlopsValidationException Validation(BackendContext context, string operation, string message)
        => new(message, Details(context, operation, "INVALID_PARAMETER_VALUE"));

    public static MlopsNotSupportedException NotSupported(BackendContext context, string operation, string reason)
        => new(context.Name, operation, reason);

    private static MlopsErrorDetails Details(BackendContext context, string operation, string code)
        => new() { Backend = context.Name, Operation = operation, ErrorCode = code };
}
