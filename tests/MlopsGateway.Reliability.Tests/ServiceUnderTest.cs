using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>
/// One column of the fault matrix: a backend service, the representative public operation driven through the
/// gateway, the healthy server that operation talks to (recorded answers, or the fakes' shapes where nothing was
/// recorded), and the request faults are injected into.
/// </summary>
internal sealed class ServiceUnderTest
{
    /// <summary>The column header.</summary>
    public required string Name { get; init; }

    /// <summary>The operation's span name, which every <see cref="MlopsException"/> it throws carries as <c>Operation</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>The call, as the doc shows it.</summary>
    public required string Call { get; init; }

    /// <summary>Sets type, settings and endpoints of the backend (the base URL is the fake's).</summary>
    public required Action<BackendOptions, Uri> Configure { get; init; }

    /// <summary>The named endpoint whose client the operation uses (null: the backend's own).</summary>
    public string? Endpoint { get; init; }

    /// <summary>Makes the fake answer every request of the operation successfully.</summary>
    public required Action<FakeServer> Healthy { get; init; }

    /// <summary>The request the faults hit: method and decoded path (what a WireMock path matcher sees).</summary>
    public required (string Method, string Path) Target { get; init; }

    /// <summary>The operation.</summary>
    public required Func<IMlopsBackend, CancellationToken, Task> Act { get; init; }

    /// <summary>A create of this service, for the duplicate-create rows; null where the column has none.</summary>
    public CreateCase? Create { get; init; }

    /// <summary>Whether the API requests carry the backend's credential (false for the token endpoint's own column).</summary>
    public bool FaultsHitApiRequests { get; init; } = true;

    public override string ToString() => Name;
}

/// <summary>A create operation: its span name, call and the create request.</summary>
/// <param name="Operation">The span name.</param>
/// <param name="Call">The call, as the doc shows it.</param>
/// <param name="Method">The create request's method.</param>
/// <param name="Path">The create request's decoded path.</param>
/// <param name="Act">The operation.</param>
internal sealed record CreateCase(string Operation, string Call, string Method, string Path, Func<IMlopsBackend, CancellationToken, Task> Act);
