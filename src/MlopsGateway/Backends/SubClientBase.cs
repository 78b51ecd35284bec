namespace MlopsGateway;

/// <summary>Shared plumbing of the sub-client bases: the owning backend and the not-supported exception.</summary>
public abstract class SubClientBase
{
    /// <summary>Creates the sub-client.</summary>
    /// <param name="backend">The backend this sub-client belongs to.</param>
    protected SubClientBase(MlopsBackendBase backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        Backend = backend;
    }

    /// <summary>The owning backend.</summary>
    protected MlopsBackendBase Backend { get; }

    /// <summary>The owning backend's context (name, clock, HTTP client).</summary>
    protected BackendContext Context => Backend.Context;

    /// <summary>The sub-client's name in operation names (<c>Runs</c>, <c>Pipelines</c>, <c>Models</c>).</summary>
    protected abstract string SubClientName { get; }

    /// <summary>What to do instead when an operation is unsupported, for example "Route Pipelines to an Airflow or Kubeflow backend.".</summary>
    protected virtual string NotSupportedHint => "Route this sub-client to a backend that supports it (see docs/capabilities.md).";

    /// <summary>The exception for an operation this backend lacks; thrown before any request.</summary>
    /// <param name="method">The method name without <c>Async</c>, for example <c>Trigger</c>.</param>
    protected MlopsNotSupportedException NotSupported(string method)
        => UnsupportedOperations.Create(Context, Backend.Kind, $"{SubClientName}.{method}", NotSupportedHint);

    /// <summary>Throws <see cref="MlopsNotSupportedException"/> unless the backend declares <paramref name="capability"/>.</summary>
    /// <param name="capability">The required capability.</param>
    /// <param name="method">The method name without <c>Async</c>.</param>
    protected void Require(MlopsCapability capability, string method)
    {
        if (!Backend.Capabilities.Supports(capability))
        {
            throw NotSupported(method);
        }
    }
}
