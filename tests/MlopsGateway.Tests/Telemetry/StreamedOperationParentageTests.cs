using MlopsGateway.Testing;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>
/// Issue 12, defect 1: an operation that streams (a log followed to its end, an adapter-defined listing) keeps its
/// span current for every step of the iteration, so every HTTP client span it causes is that span's child — and the
/// caller's own work between items is not.
/// </summary>
public sealed class StreamedOperationParentageTests
{
    private const string RunJson = """{"id":"r1","status":"running"}""";

    /// <summary>A task log of <paramref name="lines"/> lines served one chunk per request (<c>?chunk=n</c>), empty once done.</summary>
    private static FakeResponse Chunk(FakeRequest request, int lines)
    {
        var chunk = int.Parse(request.Query("chunk")!, System.Globalization.CultureInfo.InvariantCulture);
        return FakeResponse.Text(200, chunk < lines ? $"line {chunk}" : "", "text/plain");
    }

    [Fact]
    public async Task Every_request_of_a_followed_task_log_is_a_child_of_the_ReadTaskLog_span()
    {
        await using var gateway = await TracedGateway.StartAsync(server => server.Route("GET", "/runs/{id}/tasks/{task}/log",
            r => Chunk(r, 5)));
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);

        using var root = ExportedSpans.StartTestRoot();
        var lines = new List<string>();
        await foreach (var line in backend.Pipelines.ReadTaskLogAsync("r1", "train"))
        {
            lines.Add(line);
            await Task.Yield(); // the caller does its own asynchronous work between lines
        }

        lines.Should().HaveCount(5);
        var trace = spans.InTrace(root.TraceId);
        var operation = trace.Should().ContainSingle(a => a.Source.Name == "MlopsGateway").Which;
        operation.DisplayName.Should().Be("Pipelines.ReadTaskLog");
        var http = trace.Where(a => a.Source.Name == "System.Net.Http").ToList();
        http.Should().HaveCount(6);
        http.Should().OnlyContain(a => a.ParentSpanId == operation.SpanId, "every request of the follow belongs to the operation");
    }

    [Fact]
    public async Task Every_page_request_of_an_adapter_defined_listing_is_a_child_of_its_span()
    {
        await using var gateway = await TracedGateway.StartAsync(server => server.Route("GET", "/runs/{id}/artifacts", r => FakeResponse.JsonText(200, r.Query("page_token") switch
        {
            null => """{"paths":["a","b"],"next_page_token":"p2"}""",
            "p2" => """{"paths":["c"],"next_page_token":"p3"}""",
            _ => """{"paths":["d"],"next_page_token":""}""",
        })));
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);

        using var root = ExportedSpans.StartTestRoot();
        var paths = new List<string>();
        await foreach (var artifact in backend.Runs.ListArtifactsAsync("r1"))
        {
            paths.Add(artifact.Path);
            await Task.Yield();
        }
        var pages = 0;
        await foreach (var page in backend.Runs.ListArtifactsAsync("r1").AsPages())
        {
            pages++;
            await Task.Yield();
        }

        paths.Should().Equal("a", "b", "c", "d");
        pages.Should().Be(3);
        var trace = spans.InTrace(root.TraceId);
        var operations = trace.Where(a => a.Source.Name == "MlopsGateway").ToList();
        operations.Select(a => a.DisplayName).Should().Equal("Runs.ListArtifacts", "Runs.ListArtifacts");
        var http = trace.Where(a => a.Source.Name == "System.Net.Http").ToList();
        http.Should().HaveCount(6);
        http.Should().OnlyContain(a => operations.Any(o => o.SpanId == a.ParentSpanId), "every page request belongs to its listing");
    }

    [Fact]
    public async Task Calls_the_caller_makes_between_streamed_items_are_not_children_of_the_stream()
    {
        await using var gateway = await TracedGateway.StartAsync(server => server
            .Route("GET", "/runs/{id}/tasks/{task}/log", r => Chunk(r, 2))
            .Route("GET", "/runs/{id}", _ => FakeResponse.JsonText(200, RunJson)));
        var (spans, server, backend) = (gateway.Spans, gateway.Server, gateway.Backend);

        using var root = ExportedSpans.StartTestRoot();
        await foreach (var _ in backend.Pipelines.ReadTaskLogAsync("r1", "train"))
        {
            await backend.Runs.GetAsync("r1");
        }

        var trace = spans.InTrace(root.TraceId);
        var gets = trace.Where(a => a.DisplayName == "Runs.Get").ToList();
        gets.Should().HaveCount(2);
        gets.Should().OnlyContain(a => a.ParentSpanId == root.SpanId, "the caller's own calls stay under the caller's span");
        var getRequests = trace.Where(a => a.Source.Name == "System.Net.Http" && gets.Any(g => g.SpanId == a.ParentSpanId));
        getRequests.Should().HaveCount(2);
    }
}
