using System.Net;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests;

public sealed class ResilienceTests
{
    private const string RunJson = """{"id":"r1","status":"running"}""";

    /// <summary>A server whose route answers from a script: one status per call, the last one repeating.</summary>
    private static Task<FakeServer> Scripted(string method, string pattern, params Func<FakeRequest, FakeResponse>[] answers)
    {
        var calls = 0;
        return Task.FromResult(FakeServer.Start().Route(method, pattern, r =>
        {
            var i = Interlocked.Increment(ref calls) - 1;
            return answers[Math.Min(i, answers.Length - 1)](r);
        }));
    }

    private static FakeResponse Status(int code, string body = "{}", string? retryAfter = null)
    {
        var response = FakeResponse.JsonText(code, body);
        return retryAfter is null ? response : response.WithHeader("Retry-After", retryAfter);
    }

    [Fact]
    public async Task Idempotent_get_is_retried_after_a_503()
    {
        await using var server = await Scripted("GET", "/runs/{id}", _ => Status(503), _ => Status(200, RunJson));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var run = await sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        run.Id.Should().Be("r1");
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_plain_post_that_reached_the_server_is_never_retried()
    {
        await using var server = await Scripted("POST", "/pipelines/{id}/trigger", _ => Status(503), _ => Status(200, RunJson));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Pipelines.TriggerAsync("p");
        var ex = (await act.Should().ThrowAsync<MlopsUnavailableException>()).Which;
        ex.Status.Should().Be(503);
        ex.Operation.Should().Be("Pipelines.Trigger");
        server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_post_marked_idempotent_is_retried()
    {
        await using var server = await Scripted("POST", "/runs/{id}/log", _ => Status(502), _ => Status(200));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        await sp.GetRequiredService<IMlopsBackend>().Runs.LogBatchAsync("r1", new RunLogBatch { Params = [new("a", "1")] });
        server.Requests.Should().HaveCount(2);
        server.Requests[0].Body.Should().Be(server.Requests[1].Body, "the retry re-sends the same content");
    }

    [Fact]
    public async Task Streamed_content_is_never_retried_even_on_an_idempotent_method()
    {
        await using var server = await Scripted("PUT", "/runs/{id}/artifacts/{path}", _ => Status(503), _ => Status(200));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        using var content = new MemoryStream([1, 2, 3]);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.UploadArtifactAsync("r1", "model.bin", content);
        await act.Should().ThrowAsync<MlopsUnavailableException>();
        server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_response_the_adapter_marks_permanent_is_mapped_not_retried()
    {
        await using var server = await Scripted("GET", "/runs/{id}/artifacts/{path}", _ => Status(500, """{"code":"INTERNAL_ERROR","message":"No such file"}"""));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.DownloadArtifactAsync("r1", "missing.txt");
        var ex = (await act.Should().ThrowAsync<MlopsException>()).Which;
        ex.ErrorCode.Should().Be("INTERNAL_ERROR");
        ex.Message.Should().Contain("No such file");
        server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Retry_after_is_honoured_on_the_injected_clock()
    {
        var clock = new WatchedTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await Scripted("GET", "/runs/{id}", _ => Status(429, "{}", "2"), _ => Status(200, RunJson));
        await using var sp = TestGateway.ForServer(server.BaseUri, o => o.Resilience.MaxDelay = TimeSpan.FromSeconds(10), time: clock);
        var call = sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");

        await Eventually.TrueAsync(() => server.Requests.Count == 1, "the first attempt arrives");
        await Eventually.TrueAsync(() => clock.PendingDelays.Contains(TimeSpan.FromSeconds(2)), "the 2 s retry delay is scheduled");
        clock.Advance(TimeSpan.FromSeconds(1.9));
        server.Requests.Should().HaveCount(1, "Retry-After asked for 2 s");
        clock.Advance(TimeSpan.FromSeconds(0.2));
        (await call).Id.Should().Be("r1");
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_retry_after_longer_than_allowed_is_returned_to_the_caller()
    {
        await using var server = await Scripted("GET", "/runs/{id}", _ => Status(429, "{}", "120"));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        var ex = (await act.Should().ThrowAsync<MlopsRateLimitedException>()).Which;
        ex.RetryAfter.Should().Be(TimeSpan.FromSeconds(120));
        ex.Message.Should().Contain("retry after 120 s");
        server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_retried_delete_that_meets_404_counts_as_success()
    {
        await using var server = await Scripted("DELETE", "/runs/{id}", _ => Status(503), _ => Status(404));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        await sp.GetRequiredService<IMlopsBackend>().Runs.DeleteAsync("r1");
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_first_delete_that_meets_404_is_not_found()
    {
        await using var server = await Scripted("DELETE", "/runs/{id}", _ => Status(404));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.DeleteAsync("r1");
        await act.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task A_non_idempotent_post_is_retried_only_when_it_never_reached_the_server()
    {
        await using var server = await Scripted("POST", "/pipelines/{id}/trigger", _ => Status(200, RunJson));
        var failures = new FlakyConnectHandler(HttpRequestError.ConnectionError, failures: 1);
        var services = new ServiceCollection();
        await using var sp = TestGateway.ForServer(server.BaseUri, services: s => s.AddSingleton(failures));
        // The backend's IHttpClientBuilder is public: install a primary handler that refuses the first connection.
        var spWithHandler = BuildWithPrimary(server.BaseUri, failures);
        await using (spWithHandler)
        {
            var run = await spWithHandler.GetRequiredService<IMlopsBackend>().Pipelines.TriggerAsync("p");
            run.Id.Should().Be("r1");
        }
        failures.Attempts.Should().Be(2);
        server.Requests.Should().HaveCount(1);

        var lost = new FlakyConnectHandler(HttpRequestError.ResponseEnded, failures: 1);
        await using var spLost = BuildWithPrimary(server.BaseUri, lost);
        var act = () => spLost.GetRequiredService<IMlopsBackend>().Pipelines.TriggerAsync("p");
        await act.Should().ThrowAsync<MlopsUnavailableException>().WithMessage("*the connection broke off before the whole answer arrived (ResponseEnded)*");
        lost.Attempts.Should().Be(1, "the request may have been processed: a trigger is never sent twice");
    }

    private static ServiceProvider BuildWithPrimary(Uri baseUri, FlakyConnectHandler handler)
    {
        var services = new ServiceCollection().AddLogging();
        var builder = services.AddMlopsGateway(o =>
        {
            var b = new BackendOptions { Type = TestHttpBackend.TypeName, BaseUrl = baseUri.ToString() };
            b.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            o.Backends["t"] = b;
        }).AddBackendType(TestGateway.Registration);
        builder.HttpClient("t").ConfigurePrimaryHttpMessageHandler(() => handler);
        return services.BuildServiceProvider();
    }

    private sealed class FlakyConnectHandler(HttpRequestError error, int failures) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _attempts;
        public int Attempts => _attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Interlocked.Increment(ref _attempts) <= failures
                ? Task.FromException<HttpResponseMessage>(new HttpRequestException(error, "simulated"))
                : base.SendAsync(request, cancellationToken);
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_failures_and_fails_fast()
    {
        await using var server = await Scripted("GET", "/runs/{id}", _ => Status(503));
        await using var sp = TestGateway.ForServer(server.BaseUri, o =>
        {
            o.Resilience.MaxRetryAttempts = 0;
            o.Resilience.CircuitMinimumThroughput = 2;
            o.Resilience.CircuitFailureRatio = 0.5;
        });
        var runs = sp.GetRequiredService<IMlopsBackend>().Runs;
        for (var i = 0; i < 2; i++)
        {
            await runs.Invoking(r => r.GetAsync("r1")).Should().ThrowAsync<MlopsUnavailableException>();
        }
        var ex = (await runs.Invoking(r => r.GetAsync("r1")).Should().ThrowAsync<MlopsUnavailableException>()).Which;
        ex.Message.Should().Contain("circuit breaker is open");
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Max_concurrent_requests_caps_requests_in_flight()
    {
        var inFlight = 0;
        var peak = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", async _ =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await release.Task;
            Interlocked.Decrement(ref inFlight);
            return FakeResponse.JsonText(200, RunJson);
        });
        await using var sp = TestGateway.ForServer(server.BaseUri, o => o.MaxConcurrentRequests = 2);
        var runs = sp.GetRequiredService<IMlopsBackend>().Runs;
        var calls = Enumerable.Range(0, 5).Select(i => runs.GetAsync($"r{i}")).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref inFlight) == 2, "two requests reach the server");
        release.SetResult();
        await Task.WhenAll(calls);
        peak.Should().Be(2);
        server.Requests.Should().HaveCount(5);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [Theory]
    [InlineData(400, """{"code":"BAD","message":"bad value"}""", typeof(MlopsValidationException))]
    [InlineData(401, "", typeof(MlopsAuthenticationException))]
    [InlineData(403, "", typeof(MlopsAuthorizationException))]
    [InlineData(404, """{"code":"NOT_FOUND","message":"no run r1"}""", typeof(MlopsNotFoundException))]
    [InlineData(404, "<html>Not Found</html>", typeof(MlopsEndpointNotFoundException))]
    [InlineData(405, "405: Method Not Allowed", typeof(MlopsEndpointNotFoundException))]
    [InlineData(409, """{"code":"ALREADY_EXISTS","message":"dup"}""", typeof(MlopsConflictException))]
    [InlineData(422, """{"code":"BAD","message":"bad"}""", typeof(MlopsValidationException))]
    public async Task Error_responses_map_to_the_exception_hierarchy(int status, string body, Type expected)
    {
        await using var server = await Scripted("GET", "/runs/{id}", _ => Status(status, body));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        var ex = (await act.Should().ThrowAsync<MlopsException>()).Which;
        ex.Should().BeOfType(expected);
        ex.Status.Should().Be(status);
        ex.Backend.Should().Be("t");
        ex.Operation.Should().Be("Runs.Get");
        ex.Message.Should().Contain("Runs.Get failed on backend 't': HTTP " + status);
    }

    [Fact]
    public async Task An_unknown_endpoint_names_the_url_tried_and_says_to_check_the_base_url()
    {
        await using var server = await Scripted("GET", "/{**any}", _ => FakeResponse.Text(404, "<!doctype html><title>404 Not Found</title>", "text/html; charset=utf-8"));
        await using var sp = TestGateway.ForServer(new Uri(server.BaseUri, "wrong-prefix/"));
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        var ex = (await act.Should().ThrowAsync<MlopsEndpointNotFoundException>()).Which;
        ex.Should().BeAssignableTo<MlopsNotFoundException>("code that catches not-found still sees it");
        ex.RequestUri.Should().Be(new Uri(server.BaseUri, "wrong-prefix/runs/r1"));
        ex.Message.Should().Contain($"no endpoint {new Uri(server.BaseUri, "wrong-prefix/runs/r1")}").And.Contain("check BaseUrl");
        ex.Message.Should().NotContain("<title>", "the page itself is not the error");
    }

    [Fact]
    public async Task The_servers_message_reaches_the_exception_unaltered()
    {
        await using var server = await Scripted("GET", "/runs/{id}", _ => Status(400, """{"code":"BAD","message":"path '../../etc' escapes the root..."}"""));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        (await act.Should().ThrowAsync<MlopsValidationException>()).Which.Message
            .Should().Be("Runs.Get failed on backend 't': HTTP 400 Bad Request BAD: path '../../etc' escapes the root.");
    }

    [Fact]
    public async Task A_body_that_is_not_the_expected_json_is_a_clear_error()
    {
        await using var server = await Scripted("GET", "/runs/{id}", _ => Status(200, "<html>proxy login</html>"));
        await using var sp = TestGateway.ForServer(server.BaseUri);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        (await act.Should().ThrowAsync<MlopsException>()).Which.Message.Should().Contain("not the expected JSON");
    }

    [Fact]
    public async Task An_unreachable_server_is_unavailable_after_retries()
    {
        await using var sp = TestGateway.ForServer(new Uri("http://127.0.0.1:9/"), o => o.Resilience.MaxRetryAttempts = 1);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        (await act.Should().ThrowAsync<MlopsUnavailableException>()).Which.Message.Should().Contain("could not be reached");
    }

    [Fact]
    public async Task Caller_cancellation_is_not_turned_into_an_error()
    {
        var release = new TaskCompletionSource();
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", async _ => { await release.Task; return FakeResponse.Empty(200); });
        await using var sp = TestGateway.ForServer(server.BaseUri);
        using var cts = new CancellationTokenSource();
        var call = sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1", cts.Token);
        // The held request is in WireMock's log only once answered: count what reached the server.
        await Eventually.TrueAsync(() => server.Arrivals == 1, "the request arrives");
        await cts.CancelAsync();
        await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
        release.SetResult();
        server.Arrivals.Should().Be(1);
    }
}
