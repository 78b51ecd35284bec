namespace MlopsGateway.Reliability.Tests;

/// <summary>One row of the fault matrix: how the fault is injected, what each service must show, and what else the cell checks.</summary>
internal sealed class Fault
{
    /// <summary>The row label.</summary>
    public required string Name { get; init; }

    /// <summary>How the fault is made, for the doc.</summary>
    public required string How { get; init; }

    /// <summary>The outcome each column must show.</summary>
    public required Func<ServiceUnderTest, Expected> Expect { get; init; }

    /// <summary>Injects the fault (WireMock mappings over the healthy fake, configuration overrides).</summary>
    public required Action<Cell> Arrange { get; init; }

    /// <summary>Further checks once the operation has ended.</summary>
    public Action<Cell> Verify { get; init; } = _ => { };

    /// <summary>Whether the row drives the service's create instead of its read.</summary>
    public bool UsesCreate { get; init; }

    /// <summary>Drives the operation instead of the default clock driver (the cancellation row).</summary>
    public Func<Cell, Task, Task>? Drive { get; init; }

    public override string ToString() => Name;
}
