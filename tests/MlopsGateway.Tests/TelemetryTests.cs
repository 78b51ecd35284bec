using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests;

public sealed class TelemetryTests
{
    private const string Secret = "p4ss-W0rd-never-shown";
    private const string RunJson = """{"id":"r1","status":"running"}""";

    [Fact]
    public async Task An_operation_is_one_internal_span_with_the_http_span_beneath_it()
    {
        using var spans = new ExportedSpans();
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", _ => FakeResponse.JsonText(200, RunJson));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        using (var root = ExportedSpans.StartTestRoot())
        {
            await sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
            var mine = spans.InTrace(root.TraceId);
            var op = mine.Should().ContainSingle(a => a.Source.Name == "MlopsGateway").Which;
            op.DisplayName.Should().Be("Runs.Get");
            op.Kind.Should().Be(ActivityKind.Internal);
            op.GetTagItem("mlops.backend.name").Should().Be("t");
            op.GetTagItem("mlops.backend.kind").Should().Be("TestHttp");
            op.GetTagItem("mlops.operation").Should().Be("Runs.Get");
            op.GetTagItem("mlops.run.id").Should().Be("r1");
            op.GetTagItem("server.address").Should().Be("127.0.0.1");
            op.GetTagItem("server.port").Should().Be(server.BaseUri.Port);
            op.Status.Should().Be(ActivityStatusCode.Unset);
            var http = mine.Should().ContainSingle(a => a.Source.Name == "System.Net.Http").Which;
            http.ParentSpanId.Should().Be(op.SpanId);
            server.Requests.Single().Header("traceparent").Should().Contain(root.TraceId.ToHexString(), "W3C context reaches the backend");
        }
    }

    [Fact]
    public async Task Retries_are_events_and_a_retry_that_succeeds_is_not_an_error()
    {
        using var spans = new ExportedSpans();
        var calls = 0;
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", _ =>
            Interlocked.Increment(ref calls) == 1 ? FakeResponse.Empty(503) : FakeResponse.JsonText(200, RunJson));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        using var root = ExportedSpans.StartTestRoot();
        await sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        var op = spans.InTrace(root.TraceId).Single(a => a.Source.Name == "MlopsGateway");
        op.Events.Should().ContainSingle(e => e.Name == "mlops.retry").Which.Tags.Should().Contain(new KeyValuePair<string, object?>("mlops.retry.reason", "HTTP 503"));
        op.Status.Should().NotBe(ActivityStatusCode.Error);
        spans.InTrace(root.TraceId).Count(a => a.Source.Name == "System.Net.Http").Should().Be(2);
    }

    [Fact]
    public async Task A_failed_operation_records_error_type()
    {
        using var spans = new ExportedSpans();
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", _ => FakeResponse.Empty(404));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        using var root = ExportedSpans.StartTestRoot();
        await sp.GetRequiredService<IMlopsBackend>().Runs.Invoking(r => r.GetAsync("r1")).Should().ThrowAsync<MlopsNotFoundException>();
        var op = spans.InTrace(root.TraceId).Single(a => a.Source.Name == "MlopsGateway");
        op.Status.Should().Be(ActivityStatusCode.Error);
        op.GetTagItem("error.type").Should().Be(nameof(MlopsNotFoundException));
    }

    [Fact]
    public async Task A_list_opens_one_span_per_page_and_pages_resume_from_a_token()
    {
        using var spans = new ExportedSpans();
        await using var server = FakeServer.Start().Route("GET", "/runs", r => FakeResponse.JsonText(200, r.Query("page_token") switch
        {
            null => """{"runs":[{"id":"a"},{"id":"b"}],"next_page_token":"p2"}""",
            "p2" => """{"runs":[{"id":"c"},{"id":"d"}],"next_page_token":"p3"}""",
            _ => """{"runs":[{"id":"e"}],"next_page_token":""}""",
        }));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var runs = sp.GetRequiredService<IMlopsBackend>().Runs;
        using (var root = ExportedSpans.StartTestRoot())
        {
            var listing = runs.ListAsync(new RunQuery { PageSize = 2 });
            server.Requests.Should().BeEmpty("a listing is lazy");
            (await listing.ToListAsync()).Select(r => r.Id).Should().Equal("a", "b", "c", "d", "e");
            spans.InTrace(root.TraceId).Where(a => a.Source.Name == "MlopsGateway").Select(a => a.DisplayName).Should().Equal("Runs.List", "Runs.List", "Runs.List");
            spans.InTrace(root.TraceId).Where(a => a.Source.Name == "MlopsGateway").Select(a => a.GetTagItem("mlops.page.size")).Should().Equal(2, 2, 1);
        }

        var resumed = await runs.ListAsync().AsPages("p2", 2).ToListAsync();
        resumed.Select(p => p.ContinuationToken).Should().Equal("p3", "");
        resumed.SelectMany(p => p.Values).Select(r => r.Id).Should().Equal("c", "d", "e");
        server.Requests[^1].Query.Should().Contain("size=2");
    }

    [Fact]
    public async Task An_unsupported_operation_fails_in_its_span_before_any_request()
    {
        using var spans = new ExportedSpans();
        await using var server = FakeServer.Start();
        await using var sp = TestGateway.ForServer(server.BaseUri);
        using var root = ExportedSpans.StartTestRoot();
        var models = sp.GetRequiredService<IMlopsBackend>().Models;
        models.Invoking(m => m.ListModelsAsync()).Should().Throw<MlopsNotSupportedException>();
        await models.Invoking(m => m.GetModelAsync("m")).Should().ThrowAsync<MlopsNotSupportedException>();
        server.Requests.Should().BeEmpty();
        spans.InTrace(root.TraceId).Select(a => (a.DisplayName, a.GetTagItem("error.type")))
            .Should().Equal(("Models.ListModels", nameof(MlopsNotSupportedException)), ("Models.GetModel", nameof(MlopsNotSupportedException)));
    }

    [Fact]
    public async Task No_secret_appears_in_any_span_log_or_exception()
    {
        using var spans = new ExportedSpans();
        var logs = new LogCollector();
        await using var server = FakeServer.Start()
            .Route("GET", "/runs/{id}", _ => FakeResponse.Empty(401))
            .Route("POST", "/pipelines/{id}/trigger", _ => FakeResponse.Empty(503));
        await using var sp = TestGateway.ForServer(server.BaseUri, o =>
        {
            o.Auth.Type = "Basic";
            o.Auth.Username = "admin";
            o.Auth.Password = Secret;
            o.Headers["X-Api-Key"] = Secret + "-key";
        }, logs: logs);
        var backend = sp.GetRequiredService<IMlopsBackend>();
        using var root = ExportedSpans.StartTestRoot();
        var errors = new List<Exception>();
        try { await backend.Runs.GetAsync("r1"); } catch (MlopsException ex) { errors.Add(ex); }
        try { await backend.Pipelines.TriggerAsync("p"); } catch (MlopsException ex) { errors.Add(ex); }
        errors.Should().HaveCount(2);

        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + Secret));
        var texts = spans.InTrace(root.TraceId).SelectMany(a => a.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(a.DisplayName).Append(a.StatusDescription ?? ""))
            .Concat(logs.Messages)
            .Concat(errors.Select(e => e.ToString()))
            .ToList();
        texts.Should().NotBeEmpty();
        texts.Should().NotContain(t => t.Contains(Secret, StringComparison.Ordinal) || t.Contains(basic, StringComparison.Ordinal));
        server.Requests.Should().OnlyContain(r => r.Header("Authorization") == "Basic " + basic, "the secret is still sent to the server");
    }

    [Fact]
    public async Task Operation_durations_and_retries_are_measured()
    {
        var measurements = new List<(string Instrument, object? Operation)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "MlopsGateway")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var backend = tags.ToArray().FirstOrDefault(t => t.Key == "mlops.backend.name").Value;
            if (backend is "telemetry-metrics")
            {
                lock (measurements)
                {
                    measurements.Add((instrument.Name, tags.ToArray().FirstOrDefault(t => t.Key == "mlops.operation").Value));
                }
            }
        }
        listener.SetMeasurementEventCallback<double>(Record);
        listener.SetMeasurementEventCallback<long>(Record);
        listener.Start();

        var calls = 0;
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", _ =>
            Interlocked.Increment(ref calls) == 1 ? FakeResponse.Empty(502) : FakeResponse.JsonText(200, RunJson));
        await using var sp = TestGateway.Build(o =>
        {
            var b = new BackendOptions { Type = TestHttpBackend.TypeName, BaseUrl = server.BaseUri.ToString() };
            b.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.Backends["telemetry-metrics"] = b;
        });
        await sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");

        lock (measurements)
        {
            measurements.Should().Contain(("mlops.client.operation.duration", "Runs.Get"));
            measurements.Should().Contain(("mlops.client.retries", "Runs.Get"));
        }
    }
}
