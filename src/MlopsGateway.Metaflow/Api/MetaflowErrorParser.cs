using System.Net;
using MlopsGateway.Http;

namespace MlopsGateway.Metaflow.Api;

/// <summary>The metadata service's error bodies for the core's error mapping (see <see cref="MetaflowErrorBody"/>).</summary>
internal sealed class MetaflowErrorParser : IBackendErrorParser
{
    public static MetaflowErrorParser Instance { get; } = new();

    public BackendError Parse(HttpStatusCode status, string? contentType, string body)
    {
        var (code, message, parentMissing) = MetaflowErrorBody.Read(status, body);
        MlopsErrorKind? kind = code switch
        {
            MetaflowErrorBody.UniqueViolation => MlopsErrorKind.Conflict,
            _ when parentMissing == true => MlopsErrorKind.NotFound,
            _ => null,
        };
        if (parentMissing == true && code is null)
        {
            message = $"{message} (the run does not exist)";
        }
        return new BackendError(code, message, kind);
    }
}
