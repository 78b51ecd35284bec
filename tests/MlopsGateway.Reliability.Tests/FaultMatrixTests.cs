using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>The cells that apply to one column, for its theory.</summary>
internal static class Rows
{
    public static TheoryData<string> For(string service)
    {
        var rows = new TheoryData<string>();
        foreach (var fault in Faults.All.Where(f => f.Expect(Services.Named(service)).Applies))
        {
            rows.Add(fault.Name);
        }
        return rows;
    }

    public static Task Run(string service, string fault) => CellRunner.RunAsync(Services.Named(service), Faults.All.Single(f => f.Name == fault));
}

public sealed class MLflowFaultMatrix
{
    public static TheoryData<string> Cells => Rows.For("MLflow");

    [SharedTheory]
    [MemberData(nameof(Cells))]
    public Task Cell(string fault) => Rows.Run("MLflow", fault);
}

public sealed class AirflowFaultMatrix
{
    public static TheoryData<string> Cells => Rows.For("Airflow");

    [SharedTheory]
    [MemberData(nameof(Cells))]
    public Task Cell(string fault) => Rows.Run("Airflow", fault);
}

public sealed class AirflowTokenEndpointFaultMatrix
{
    public static TheoryData<string> Cells => Rows.For("Airflow token endpoint");

    [SharedTheory]
    [MemberData(nameof(Cells))]
    public Task Cell(string fault) => Rows.Run("Airflow token endpoint", fault);
}

public sealed class KubeflowFaultMatrix
{
    public static TheoryData<string> Cells => Rows.For("Kubeflow");

    [Theory]
    [MemberData(nameof(Cells))]
    public Task Cell(string fault) => Rows.Run("Kubeflow", fault);
}

public sealed class ModelRegistryFaultMatrix
{
    public static TheoryData<string> Cells => Rows.For("Kubeflow Model Registry");

    [Theory]
    [MemberData(nameof(Cells))]
    public Task Cell(string fault) => Rows.Run("Kubeflow Model Registry", fault);
}

public sealed class MetaflowFaultMatrix
{
    public static TheoryData<string> Cells => Rows.For("Metaflow");

    [SharedTheory]
    [MemberData(nameof(Cells))]
    public Task Cell(string fault) => Rows.Run("Metaflow", fault);
}
