namespace MlopsGateway.Kubeflow;

/// <summary>
/// Reads the output artifact of one node (pod) of a KFP run through
/// <c>GET /runs/{run}/nodes/{node}/artifacts/{name}:read</c>. The neutral Artifacts capability stays off — KFP
/// cannot upload or list run artifacts — so this lives here: get it with
/// <c>backend.GetService&lt;KubeflowNodeArtifacts&gt;()</c>. The endpoint is absent from the 2.17.0 swagger but
/// still served; it suits v1-style (Argo) outputs, as KFP v2 artifacts mostly live in object storage and MLMD.
/// </summary>
public sealed class KubeflowNodeArtifacts
{
    private readonly KubeflowBackend _backend;

    internal KubeflowNodeArtifacts(KubeflowBackend backend) => _backend = backend;

    /// <summary>Reads one artifact of a node into memory (the server sends it base64 in one JSON document).</summary>
    /// <param name="run">The run.</param>
    /// <param name="nodeId">The node id: a task's <c>pod_name</c> (in <see cref="TaskRun.Native"/>).</param>
    /// <param name="artifactName">The output artifact name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="MlopsNotFoundException">The run, node or artifact does not exist.</exception>
    public Task<Stream> ReadAsync(RunRef run, string nodeId, string artifactName, CancellationToken cancellationToken = default)
        => _backend.Operations.RunAsync("NodeArtifacts.Read", () => ReadCoreAsync(run, nodeId, artifactName, cancellationToken), new OperationSubject(RunId: run?.Id));

    private async Task<Stream> ReadCoreAsync(RunRef run, string nodeId, string artifactName, CancellationToken cancellationToken = default)
    {
        MlopsGuard.RunId(run);
        MlopsGuard.NotBlank(nodeId);
        MlopsGuard.NotBlank(artifactName);
        var reply = await _backend.NodeArtifactsApi.ReadAsync(run.Id, nodeId, artifactName, cancellationToken).ConfigureAwait(false);
        return new MemoryStream(reply.Data ?? [], writable: false);
    }
}
