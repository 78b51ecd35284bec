using Microsoft.Extensions.Time.Testing;
using System.Diagnostics;
using MlopsGateway.Testing;

namespace MlopsGateway.Conformance;

/// <summary>
/// The backend-neutral scenarios every backend must pass (DESIGN.md §5.3). Derive one test class per
/// fixture: <c>public sealed class MLflowConformance(MLflowFixture f) : ConformanceSuite&lt;MLflowFixture&gt;(f);</c>.
/// No scenario is skipped: where <see cref="IMlopsBackend.Capabilities"/> says a capability is off, the
/// scenario asserts <see cref="MlopsNotSupportedException"/> and that the server received no request.
/// Scenarios use unique names, so they run against one stateful fake in any order.
/// </summary>
/// <typeparam name="TFixture">The backend's fixture.</typeparam>
public abstract partial class ConformanceSuite<TFixture> : IClassFixture<TFixture>
    where TFixture : ConformanceFixture
{
    /// <summary>How long (real time) a scenario waits for a run before failing.</summary>
    protected static readonly TimeSpan RealDeadline = TimeSpan.FromSeconds(30);

    /// <summary>The poll interval scenarios wait with (advanced on a manual clock).</summary>
    protected static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Creates the suite over a fixture.</summary>
    /// <param name="fixture">The backend's fixture.</param>
    protected ConformanceSuite(TFixture fixture) => Fixture = fixture;

    /// <summary>The backend's fixture.</summary>
    protected TFixture Fixture { get; }

    /// <summary>The backend under test.</summary>
    protected IMlopsBackend Backend => Fixture.Backend;

    /// <summary>Whether the backend under test declares <paramref name="capability"/>.</summary>
    protected bool Supports(MlopsCapability capability) => Backend.Capabilities.Supports(capability);

    /// <summary>A unique, path- and id-safe name: <c>conf-{what}-{12 hex}</c>.</summary>
    protected static string Unique(string what) => $"conf-{what}-{Guid.NewGuid():N}"[..(6 + what.Length + 12)];

    /// <summary>A cancellation token that fires after <see cref="RealDeadline"/>, so a hung backend fails the scenario.</summary>
    protected static CancellationToken Deadline() => new CancellationTokenSource(RealDeadline).Token;

    /// <summary>
    /// Asserts that <paramref name="act"/> throws <see cref="MlopsNotSupportedException"/> naming the backend
    /// and that the server received no request meanwhile.
    /// </summary>
    protected Task AssertNotSupportedAsync<T>(Func<ValueTask<T>> act, string because) => AssertNotSupportedAsync(() => act().AsTask(), because);

    /// <summary>Asserts that <paramref name="act"/> throws <see cref="MlopsNotSupportedException"/> for the backend under test without sending any request.</summary>
    protected async Task AssertNotSupportedAsync(Func<Task> act, string because)
    {
        var before = Fixture.RequestCount;
        var thrown = await FluentActions.Awaiting(async () => await act()).Should().ThrowAsync<MlopsNotSupportedException>(because);
        thrown.Which.Backend.Should().Be(ConformanceFixture.BackendName);
        thrown.Which.Message.Should().NotBeNullOrWhiteSpace();
        Fixture.RequestCount.Should().Be(before, "an unsupported operation must fail before any request is sent ({0})", because);
    }

    /// <summary>Asserts that <paramref name="act"/> throws <typeparamref name="TException"/> stamped with the backend under test.</summary>
    protected static async Task<TException> AssertThrowsAsync<TException>(Func<Task> act, string because)
        where TException : MlopsException
    {
        var thrown = await FluentActions.Awaiting(async () => await act()).Should().ThrowAsync<TException>(because);
        thrown.Which.Backend.Should().Be(ConformanceFixture.BackendName, "errors carry the backend of record ({0})", because);
        return thrown.Which;
    }

    /// <summary>
    /// Waits through <paramref name="via"/> (default the backend under test) until the run is terminal,
    /// advancing the fixture's clock when it is a <see cref="FakeTimeProvider"/>.
    /// </summary>
    protected async Task<Run> WaitForTerminalAsync(RunRef run, IMlopsBackend? via = null)
    {
        var options = new WaitOptions { InitialPollInterval = PollInterval, MaxPollInterval = PollInterval, Timeout = RealDeadline };
        var wait = (via ?? Backend).Runs.WaitForCompletionAsync(run, options, cancellationToken: Deadline());
        if (Fixture.Time is FakeTimeProvider clock)
        {
            var deadline = Stopwatch.StartNew();
            while (!wait.IsCompleted && deadline.Elapsed < RealDeadline)
            {
                clock.Advance(PollInterval);
                await Task.WhenAny(wait, Task.Delay(5));
            }
        }
        return await wait;
    }

    /// <summary>Reads every page of <paramref name="listing"/> with a page size of <paramref name="pageSize"/>, returning the pages.</summary>
    protected static async Task<List<MlopsPage<T>>> ReadPagesAsync<T>(MlopsPageable<T> listing, int pageSize)
    {
        var pages = new List<MlopsPage<T>>();
        await foreach (var page in listing.AsPages(null, pageSize))
        {
            page.Values.Count.Should().BeLessThanOrEqualTo(pageSize, "a page never exceeds the requested size");
            pages.Add(page);
        }
        return pages;
    }

    /// <summary>The query that lists exactly the runs of one fixture scope (its experiment, else its pipeline).</summary>
    protected static RunQuery ScopeQuery(Run run, int? pageSize = null) => run.ExperimentId is { } experiment
        ? new RunQuery { ExperimentIds = [experiment], PageSize = pageSize }
        : new RunQuery { PipelineId = run.PipelineId, PageSize = pageSize };

    /// <summary>Seeds a pipeline, asserting the fixture can when triggering is supported.</summary>
    protected async Task<string> SeedTriggerablePipelineAsync()
    {
        var pipelineId = await Fixture.SeedPipelineAsync(Unique("pipe"), Deadline());
        pipelineId.Should().NotBeNullOrEmpty("the backend declares PipelineTrigger, so the fixture must seed a pipeline");
        return pipelineId!;
    }

    [Fact]
    public async Task Health_check_reports_healthy()
    {
        var health = await Backend.CheckHealthAsync(Deadline());
        health.IsHealthy.Should().BeTrue(health.Description);
        Backend.Name.Should().Be(ConformanceFixture.BackendName);
        Backend.Kind.Should().NotBeNullOrWhiteSpace();
    }
}
