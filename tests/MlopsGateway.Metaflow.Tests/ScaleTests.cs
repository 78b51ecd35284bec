using MlopsGateway.Metaflow.Tests.Fake;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>Memory assertions read process-wide GC counters, so these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "Memory measurements";
}

/// <summary>Released services do not paginate: a big flow's run listing is one array of tens of MB, read element by element.</summary>
[Collection(MemoryMeasurements.Name)]
public sealed class ScaleTests
{
    [Fact]
    public async Task Listing_50000_runs_streams_with_flat_memory()
    {
        const int total = 50_000;
        await using var host = await MetaflowHost.StartAsync();
        host.Fake.BulkRuns = total;
        var runs = host.Backend.Runs.ListAsync(new RunQuery { PipelineId = MetaflowFake.BulkFlow });

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        long midRetained = 0;
        var count = 0;
        string? last = null;
        await foreach (var run in runs)
        {
            count++;
            last = run.Id;
            if (count == total / 2)
            {
                midRetained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            }
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        count.Should().Be(total);
        last.Should().Be($"{MetaflowFake.BulkFlow}/{total}");
        // The body is ~12 MB (about 240 bytes a run); a buffered listing would retain all of it and the 25,000 runs read so far.
        const long bodyBytes = total * 240L;
        midRetained.Should().BeLessThan(bodyBytes / 4, "half-way through, only a window of the stream may be alive");
        (allocated / total).Should().BeLessThan(16_384, "each run costs a bounded, constant amount of garbage");
        host.Requests.Should().ContainSingle(r => r.Path == $"/flows/{MetaflowFake.BulkFlow}/runs", "one unpaged request");
    }

    [Fact]
    public async Task A_service_with_cursor_paging_is_followed_page_by_page()
    {
        await using var host = await MetaflowHost.StartAsync();
        host.Fake.CursorPaging = true;
        for (var i = 0; i < 5; i++)
        {
            await host.RegisterRunAsync("PFlow", $"argo-{i}");
        }
        host.Fake.Server.ClearRequests();
        var runs = await host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "PFlow", PageSize = 2 }).ToListAsync();
        runs.Should().HaveCount(5);
        var queries = host.Requests.Select(r => r.Query).ToList();
        queries.Should().HaveCount(3);
        queries[0].Should().Be("?_limit=2");
        queries[1].Should().StartWith("?_limit=2&_cursor=");
    }

    [Fact]
    public async Task Pages_resume_from_their_continuation_token()
    {
        await using var host = await MetaflowHost.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await host.RegisterRunAsync("PFlow", $"argo-{i}");
        }
        var listing = host.Backend.Runs.ListAsync(new RunQuery { PipelineId = "PFlow" });
        var first = await listing.AsPages(pageSizeHint: 2).FirstAsync();
        first.Values.Should().HaveCount(2);
        first.ContinuationToken.Should().Be("skip:2");
        var rest = new List<Run>();
        await foreach (var page in listing.AsPages(first.ContinuationToken, 2))
        {
            rest.AddRange(page.Values);
        }
        rest.Select(r => r.Id).Should().BeEquivalentTo(Enumerable.Range(2, 3).Select(i => $"PFlow/argo-{i}"));
    }
}
