using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>Runs one cell: a healthy fake with the fault layered on, a gateway configured as a user would, the operation driven on a fake clock.</summary>
internal static class CellRunner
{
    private static readonly TimeSpan s_realDeadline = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(ServiceUnderTest service, Fault fault)
    {
        var expected = fault.Expect(service);
        expected.Applies.Should().BeTrue($"'{fault.Name}' applies to {service.Name}");
        await using var server = FakeServer.Start();
        service.Healthy(server);
        var cell = new Cell(service, fault, server, new WatchedTimeProvider(Cell.Start));
        fault.Arrange(cell);
        try
        {
            await RunAsync(cell);
        }
        finally
        {
            if (cell.TokenFile is not null)
            {
                File.Delete(cell.TokenFile);
            }
        }
        Check(cell, expected);
        fault.Verify(cell);
    }

    private static async Task RunAsync(Cell cell)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(cell.Clock);
        var options = new BackendOptions { BaseUrl = cell.Server.BaseUri.ToString() };
        cell.Service.Configure(options, cell.Server.BaseUri);
        cell.ConfigureBackend?.Invoke(options);
        var builder = services.AddMlopsGateway(o => o.Backends[Cell.BackendName] = options).AddMLflow().AddAirflow().AddKubeflow().AddMetaflow();
        if (cell.Bytes is { } tally)
        {
            foreach (var endpoint in options.Endpoints.Keys.Append(null))
            {
                builder.HttpClient(Cell.BackendName, endpoint).AddHttpMessageHandler(() => new ReadCounter(tally));
            }
        }
        await using var provider = services.BuildServiceProvider();
        using var spans = new ExportedSpans();
        var backend = provider.GetRequiredService<IMlopsBackend>();
        var root = ExportedSpans.StartTestRoot("fault-cell");
        var act = cell.Fault.UsesCreate ? cell.Service.Create!.Act : cell.Service.Act;
        var operation = Task.Run(() => act(backend, cell.Caller.Token));
        if (cell.Fault.Drive is { } drive)
        {
            await drive(cell, operation);
        }
        else
        {
            await DriveAsync(cell, operation);
        }
        try
        {
            await operation;
        }
        catch (Exception ex)
        {
            cell.Thrown = ex;
        }
        root.Stop();
        cell.OperationSpan = spans.InTrace(root.TraceId).FirstOrDefault(a => a.Source.Name == "MlopsGateway" && a.DisplayName == cell.Operation);
    }

    /// <summary>
    /// Moves the cell's clock only while the gateway waits on it: a pending delay shorter than the attempt timeout is
    /// a retry wait and is passed at once; an attempt the fault stalls at the server is given its attempt timeout.
    /// Real I/O never races the fake clock, because nothing else moves it.
    /// </summary>
    private static async Task DriveAsync(Cell cell, Task operation)
    {
        var stalledPassed = 0;
        var deadline = DateTime.UtcNow + s_realDeadline;
        while (!operation.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The cell did not finish: {cell.Server.Arrivals} requests arrived, pending delays {string.Join(", ", cell.Clock.PendingDelays)}.");
            }
            if (stalledPassed < cell.Stalls)
            {
                stalledPassed++;
                cell.Clock.Advance(Faults.AttemptTimeout);
                continue;
            }
            var waits = RetryWaits(cell);
            if (waits.Length > 0)
            {
                cell.Clock.Advance(waits.Min());
                continue;
            }
            var left = deadline - DateTime.UtcNow;
            await Eventually.TrueAsync(() => operation.IsCompleted || stalledPassed < cell.Stalls || RetryWaits(cell).Length > 0,
                $"the operation of '{cell.Fault.Name}' on {cell.Service.Name} ends, stalls or waits to retry", left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    /// <summary>The delays the gateway sleeps on the cell's clock that are retry waits (shorter than an attempt's timeout).</summary>
    private static TimeSpan[] RetryWaits(Cell cell)
        => cell.Clock.PendingDelays.Where(d => d > TimeSpan.Zero && d < Faults.AttemptTimeout).ToArray();

    private static void Check(Cell cell, Expected expected)
    {
        switch (expected.Outcome)
        {
            case Expected.RecoveredOutcome:
                cell.Thrown.Should().BeNull($"{cell.Service.Name} recovers from '{cell.Fault.Name}'");
                break;
            case Expected.TypedOutcome:
                cell.Thrown.Should().NotBeNull().And.BeOfType(expected.Exception!, $"{cell.Service.Name} maps '{cell.Fault.Name}' to exactly this type");
                var error = (MlopsException)cell.Thrown!;
                error.Backend.Should().Be(Cell.BackendName, "the exception names the backend");
                error.Operation.Should().Be(cell.Operation, "the exception names the operation");
                break;
            case Expected.CancelledOutcome:
                cell.Thrown.Should().BeAssignableTo<OperationCanceledException>()
                    .Which.CancellationToken.Should().Be(cell.Caller.Token, "the caller's own cancellation, not a timeout");
                break;
        }
    }
}
