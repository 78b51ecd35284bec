namespace MlopsGateway.Metaflow;

/// <summary>
/// Client-side checks of what the service would refuse or silently drop: names, types and locations over
/// 255 characters (VARCHAR(255) rows are skipped with a 200), numeric caller ids (the service looks digits
/// up as server-assigned numbers and refuses them on create), and tags with values (Metaflow tags are plain strings).
/// </summary>
internal static class MetaflowValidation
{
    public static void Name(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw MlopsGuard.Invalid($"The Metaflow {what} must not be empty.");
        }
        Length(value, what);
        if (value.Contains('/', StringComparison.Ordinal))
        {
            throw MlopsGuard.Invalid($"The Metaflow {what} '{value}' must not contain '/'.");
        }
    }

    public static void Length(string? value, string what)
    {
        if (value is not null && value.Length > MetaflowBackend.MaxFieldLength)
        {
            throw MlopsGuard.Invalid(
                $"The Metaflow {what} is {value.Length} characters; the service stores at most {MetaflowBackend.MaxFieldLength} and silently drops longer rows.");
        }
    }

    public static void RunId(string runId)
    {
        Name(runId, "run id");
        if (Api.MetaflowId.IsNumericText(runId))
        {
            throw MlopsGuard.Invalid(
                $"The Metaflow run id '{runId}' is numeric; numbers are assigned by the service. Choose a non-numeric id such as 'argo-{runId}'.");
        }
    }

    public static void TaskName(string taskName)
    {
        Name(taskName, "task name");
        if (Api.MetaflowId.IsNumericText(taskName))
        {
            throw MlopsGuard.Invalid(
                $"The Metaflow task name '{taskName}' is numeric; task numbers are assigned by the service. Choose a non-numeric name.");
        }
    }
}
