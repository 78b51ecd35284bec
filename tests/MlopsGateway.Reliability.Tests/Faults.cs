using System.Globalization;
using System.Text;
using MlopsGateway.Testing;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace MlopsGateway.Reliability.Tests;

/// <summary>The matrix's rows. Faults are WireMock mappings over the healthy fake: a status sequence is a scenario, slow headers <c>WithDelay</c>, a stalled body WireMock's streamed body.</summary>
internal static class Faults
{
    public static readonly TimeSpan AttemptTimeout = new ResilienceOptions().AttemptTimeout;
    public static readonly TimeSpan TotalTimeout = new ResilienceOptions().TotalTimeout;
    public static readonly TimeSpan MaxDelay = new ResilienceOptions().MaxDelay;
    public static readonly long MaxResponseBytes = new ResilienceOptions().MaxResponseBytes;
    private const string HtmlPage = "<!doctype html>\n<html><head><title>Sign in</title></head><body><h1>Please sign in</h1><p>Your session has expired.</p></body></html>\n";
    private const string TokenOnly = "a fault of the API requests' credential; this column's faults are on the token endpoint itself";

    public static readonly Fault[] All =
    [
        Status(502, "Bad Gateway"),
        Status(503, "Service Unavailable"),
        Status(504, "Gateway Timeout"),
        new()
        {
            Name = "429 with `Retry-After: 7` (seconds), once",
            How = "a scenario answers 429 with `Retry-After: 7`, then the healthy answer",
            Expect = _ => Expected.Recovered,
            Arrange = c => Once(c, Response.Create().WithStatusCode(429).WithHeader("Retry-After", "7").WithHeader("Content-Type", "application/json").WithBody("""{"detail": "rate limited"}""")),
            Verify = c => WaitedAsTold(c, TimeSpan.FromSeconds(7)),
        },
        new()
        {
            Name = "429 with `Retry-After` as an HTTP date (5 s ahead), once",
            How = "a scenario answers 429 with `Retry-After: <the cell clock + 5 s, RFC 1123>`, then the healthy answer",
            Expect = _ => Expected.Recovered,
            Arrange = c => Once(c, Response.Create().WithStatusCode(429)
                .WithHeader("Retry-After", c.Clock.GetUtcNow().AddSeconds(5).ToString("R", CultureInfo.InvariantCulture))
                .WithHeader("Content-Type", "application/json").WithBody("""{"detail": "rate limited"}""")),
            Verify = c => WaitedAsTold(c, TimeSpan.FromSeconds(5)),
        },
        new()
        {
            Name = "429 with `Retry-After: 120`, beyond `MaxDelay` (30 s)",
            How = "every answer is 429 with `Retry-After: 120`",
            Expect = _ => Expected.Throws<MlopsRateLimitedException>(),
            Arrange = c => Always(c, Response.Create().WithStatusCode(429).WithHeader("Retry-After", "120").WithHeader("Content-Type", "application/json").WithBody("""{"detail": "rate limited"}""")),
            Verify = c =>
            {
                ((MlopsRateLimitedException)c.Thrown!).RetryAfter.Should().Be(TimeSpan.FromSeconds(120), "the caller learns how long the server asked to wait");
                c.TargetArrivals.Should().Be(1, "a wait longer than MaxDelay is the caller's decision, not a retry");
                c.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), "the gateway did not wait");
            },
        },
        new()
        {
            Name = "401 for an expired token (`TokenExchange`), once",
            How = "`Auth:Type TokenExchange`; the token endpoint issues a new JWT per call; a scenario answers the first API request 401",
            Expect = s => s.FaultsHitApiRequests ? Expected.Recovered : Expected.NotApplicable(TokenOnly),
            Arrange = c => { UseTokenExchange(c); Once(c, Unauthorized()); },
            Verify = c =>
            {
                c.Server.ArrivalsAt("POST", "/auth/token").Should().Be(2, "one login, then exactly one refresh");
                c.TargetRequests.Select(r => r.Header("Authorization")).Should().HaveCount(2).And.OnlyHaveUniqueItems("the request is re-sent once with the fresh token");
            },
        },
        new()
        {
            Name = "401 again after the refresh (`TokenExchange`)",
            How = "`Auth:Type TokenExchange`; every API request is answered 401",
            Expect = s => s.FaultsHitApiRequests ? Expected.Throws<MlopsAuthenticationException>() : Expected.NotApplicable(TokenOnly),
            Arrange = c => { UseTokenExchange(c); Always(c, Unauthorized()); },
            Verify = c =>
            {
                c.Server.ArrivalsAt("POST", "/auth/token").Should().Be(2, "one refresh, never a loop");
                c.TargetArrivals.Should().Be(2);
            },
        },
        new()
        {
            Name = "401 for an expired token (`TokenFile`), once",
            How = "`Auth:Type TokenFile`; the first API request is answered 401 while the file rotates to a new token",
            Expect = s => s.FaultsHitApiRequests ? Expected.Recovered : Expected.NotApplicable(TokenOnly),
            Arrange = c =>
            {
                UseTokenFile(c);
                OnTarget(c).InScenario("fault").WillSetStateTo("healthy").RespondWith(Response.Create().WithCallback(_ =>
                {
                    File.WriteAllText(c.TokenFile!, "token-2");
                    return FakeResponse.JsonText(401, """{"detail": "token expired"}""").ToResponseMessage();
                }));
            },
            Verify = c => c.TargetRequests.Select(r => r.Header("Authorization")).Should().Equal(["Bearer token-1", "Bearer token-2"], "the file is re-read once after the 401"),
        },
        new()
        {
            Name = "401 again after the re-read (`TokenFile`)",
            How = "`Auth:Type TokenFile`; every API request is answered 401",
            Expect = s => s.FaultsHitApiRequests ? Expected.Throws<MlopsAuthenticationException>() : Expected.NotApplicable(TokenOnly),
            Arrange = c => { UseTokenFile(c); Always(c, Unauthorized()); },
            Verify = c => c.TargetArrivals.Should().Be(2, "one re-read, never a loop"),
        },
        new()
        {
            Name = "connection refused",
            How = "the base URL (for the token column: `Auth:TokenUrl`) points at 127.0.0.1:1, where nothing listens",
            Expect = _ => Expected.Throws<MlopsUnavailableException>(),
            Arrange = c => c.ConfigureBackend = o =>
            {
                const string nowhere = "http://127.0.0.1:1/";
                if (!c.Service.FaultsHitApiRequests)
                {
                    o.Auth.TokenUrl = nowhere + "auth/token";
                    return;
                }
                o.BaseUrl = nowhere;
                foreach (var endpoint in o.Endpoints.Values)
                {
                    endpoint.BaseUrl = nowhere;
                }
            },
            Verify = c =>
            {
                c.Retries.Should().HaveCount(new ResilienceOptions().MaxRetryAttempts, "a connection that never opened is retried, each retry an event on the operation span");
                c.Thrown!.Message.Should().Contain("could not be reached");
            },
        },
        new()
        {
            Name = "connection reset mid-body, once",
            How = "a scenario sends the healthy answer's headers and first 20 body bytes, then resets the connection; then the healthy answer",
            Expect = _ => Expected.Recovered,
            Arrange = c => Once(c, Healthy(c).WithHeader(FakeServer.ResetAfterBytesHeader, "20")),
            Verify = c =>
            {
                c.TargetArrivals.Should().Be(2, "the body is read inside the attempt, so the broken answer is retried like a failed send");
                c.Retries.Should().ContainSingle();
            },
        },
        new()
        {
            Name = "response headers slower than `AttemptTimeout`",
            How = "every answer's headers are held back until the fake stops; the cell clock passes `AttemptTimeout` (30 s) on each attempt",
            Expect = _ => Expected.Throws<MlopsUnavailableException>(),
            Arrange = c =>
            {
                Always(c, Response.Create().WithCallback(async _ =>
                {
                    c.StallBegan();
                    await Task.Delay(Timeout.Infinite, c.Server.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                    return (IResponseMessage)FakeResponse.JsonText(503, """{"detail": "stopped"}""").ToResponseMessage();
                }));
            },
            Verify = c =>
            {
                c.TargetArrivals.Should().BeGreaterThan(1, "each attempt timed out and was retried");
                c.Thrown!.Message.Should().Contain("timed out");
                c.Elapsed.Should().BeLessThanOrEqualTo(TotalTimeout + TimeSpan.FromSeconds(1), "TotalTimeout bounds the whole call");
            },
        },
        new()
        {
            Name = "body stalls after the headers, once",
            How = "a scenario sends the headers and half the body through WireMock's streamed body, then nothing; then the healthy answer",
            Expect = _ => Expected.Recovered,
            Arrange = c =>
            {
                var (contentType, body) = HealthyParts(c);
                OnTarget(c).InScenario("fault").WillSetStateTo("healthy").RespondWith(Response.Create().WithStatusCode(200)
                    .WithHeader("Content-Type", contentType)
                    .WithSseBody(async (_, queue) =>
                    {
                        queue.Write(body[..(body.Length / 2)]);
                        c.StallBegan();
                        await Task.Delay(Timeout.Infinite, c.Server.Stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                        queue.Write(null);
                    }));
            },
            Verify = c =>
            {
                c.TargetArrivals.Should().Be(2, "AttemptTimeout covers the body, so the stalled attempt times out and is retried");
                c.Retries.Should().ContainSingle();
            },
        },
        new()
        {
            Name = "malformed JSON with 200",
            How = "every answer is 200 with the healthy body cut in half",
            Expect = _ => Expected.Throws<MlopsException>(),
            Arrange = c =>
            {
                var (contentType, body) = HealthyParts(c);
                Always(c, Response.Create().WithStatusCode(200).WithHeader("Content-Type", contentType).WithBody(body[..(body.Length / 2)]));
            },
            Verify = c =>
            {
                c.Thrown!.Message.Should().Contain("not the expected JSON");
                c.TargetArrivals.Should().Be(1, "an answer that is not the expected JSON is not retried");
            },
        },
        new()
        {
            Name = "HTML error page with 200",
            How = "every answer is a proxy's HTML sign-in page with 200",
            Expect = _ => Expected.Throws<MlopsException>(),
            Arrange = c => Always(c, Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/html; charset=utf-8").WithBody(HtmlPage)),
            Verify = c =>
            {
                c.Thrown!.Message.Should().Contain("text/html").And.Contain("not the expected JSON");
                c.TargetArrivals.Should().Be(1);
            },
        },
        new()
        {
            Name = "HTML error page with 404",
            How = "every answer is an HTML page with 404",
            Expect = _ => Expected.Throws<MlopsEndpointNotFoundException>(),
            Arrange = c => Always(c, Response.Create().WithStatusCode(404).WithHeader("Content-Type", "text/html; charset=utf-8").WithBody(HtmlPage)),
            Verify = c => c.TargetArrivals.Should().Be(1),
        },
        new()
        {
            Name = "wrong content type (the healthy JSON labelled `text/html`)",
            How = "every answer is the healthy body with `Content-Type: text/html`",
            Expect = _ => Expected.Recovered,
            Arrange = c => Always(c, Response.Create().WithStatusCode(HealthyStatus(c)).WithHeader("Content-Type", "text/html; charset=utf-8").WithBody(HealthyParts(c).Body)),
            Verify = c => c.TargetArrivals.Should().Be(1),
        },
        new()
        {
            Name = "10 MB body where a small one is expected (`Content-Length` declared)",
            How = "every answer is the healthy JSON object with a 10 MB string added, its length declared",
            Expect = _ => Expected.Throws<MlopsException>(),
            Arrange = c =>
            {
                var (contentType, body) = HealthyParts(c);
                var huge = "{\"padding\": \"" + new string('x', 10_000_000) + "\", " + body.TrimStart()[1..];
                Always(c, Response.Create().WithStatusCode(HealthyStatus(c)).WithHeader("Content-Type", contentType).WithBody(Encoding.UTF8.GetBytes(huge)));
                c.Bytes = new ByteTally();
            },
            Verify = VerifyTooLarge,
        },
        new()
        {
            Name = "10 MB body where a small one is expected (chunked)",
            How = "every answer is the healthy JSON after 10 MB of leading whitespace (still valid JSON), streamed chunked with no `Content-Length`",
            Expect = _ => Expected.Throws<MlopsException>(),
            Arrange = c =>
            {
                var (contentType, body) = HealthyParts(c);
                var chunk = new string(' ', 64 * 1024);
                Always(c, Response.Create().WithCallback(_ => new FakeResponse
                {
                    Headers = [new("Content-Type", contentType)],
                    Streamed = (queue, stopping) =>
                    {
                        for (var sent = 0; sent < 10_000_000 && !stopping.IsCancellationRequested; sent += chunk.Length)
                        {
                            queue.Write(chunk);
                        }
                        queue.Write(body);
                        queue.Write(null);
                        return Task.CompletedTask;
                    },
                }.ToResponseMessage(c.Server.Stopping)));
                c.Bytes = new ByteTally();
            },
            Verify = VerifyTooLarge,
        },
        new()
        {
            Name = "caller cancels during the retry wait",
            How = "every answer is 503; the caller's token is cancelled while the gateway waits to retry",
            Expect = _ => Expected.Cancelled,
            Arrange = c => Always(c, Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody("""{"detail": "down"}""")),
            Drive = async (c, operation) =>
            {
                await Eventually.TrueAsync(() => c.Clock.PendingDelays.Any(d => d > TimeSpan.Zero && d < AttemptTimeout), "the gateway waits to retry");
                await c.Caller.CancelAsync();
                await operation.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
                c.Clock.Advance(TotalTimeout * 2);
            },
            Verify = c => c.TargetArrivals.Should().Be(1, "nothing is sent after the caller cancelled, however far the clock moves"),
        },
        Create("503 on a create, once", "a scenario answers the create request 503, then the healthy answer",
            c => Once(c, Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json").WithBody("""{"detail": "down"}"""))),
        Create("connection reset mid-body on a create, once", "a scenario resets the create's answer after 20 body bytes, then the healthy answer",
            c => Once(c, Healthy(c).WithHeader(FakeServer.ResetAfterBytesHeader, "20"))),
    ];

    private static Fault Status(int status, string reason) => new()
    {
        Name = $"{status} {reason}, once",
        How = $"a WireMock scenario answers {status} (an HTML gateway page), then the healthy answer",
        Expect = _ => Expected.Recovered,
        Arrange = c => Once(c, Response.Create().WithStatusCode(status).WithHeader("Content-Type", "text/html").WithBody($"<html><body><h1>{status} {reason}</h1></body></html>")),
        Verify = c =>
        {
            c.TargetArrivals.Should().Be(2);
            c.Retries.Should().ContainSingle("the retry is an event on the operation span")
                .Which.Tags.Should().Contain(new KeyValuePair<string, object?>("mlops.retry.reason", c.Service.FaultsHitApiRequests ? $"HTTP {status}" : nameof(MlopsUnavailableException)));
            c.Elapsed.Should().BeLessThanOrEqualTo(TotalTimeout);
        },
    };

    private static Fault Create(string name, string how, Action<Cell> arrange) => new()
    {
        Name = name,
        How = how,
        UsesCreate = true,
        Expect = s => s.Create is null ? Expected.NotApplicable("the token endpoint has no create") : Expected.Throws<MlopsUnavailableException>(),
        Arrange = arrange,
        Verify = c =>
        {
            c.TargetRequests.Should().ContainSingle("a create is never re-sent once it may have reached the server: no duplicate object");
            c.Retries.Should().BeEmpty();
        },
    };

    private static void VerifyTooLarge(Cell c)
    {
        c.Thrown!.Message.Should().Contain("MaxResponseBytes");
        c.Bytes!.Bytes.Should().BeLessThanOrEqualTo(MaxResponseBytes + 1024 * 1024, "the gateway stops reading at the limit: memory is bounded by it, not by the server");
        c.TargetArrivals.Should().Be(1, "an answer too large is final, not retried");
    }

    private static void WaitedAsTold(Cell c, TimeSpan told)
    {
        c.TargetArrivals.Should().Be(2);
        var retry = c.Retries.Should().ContainSingle().Subject;
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>("mlops.retry.delay_ms", (long)told.TotalMilliseconds), "the wait is the one the server asked for");
        c.Elapsed.Should().BeGreaterThanOrEqualTo(told, "the retry went out only after the cell clock passed the wait");
    }

    private static IRespondWithAProvider OnTarget(Cell c) => c.Server.Given(Request.Create().WithPath(c.Target.Path).UsingMethod(c.Target.Method));

    private static void Once(Cell c, IResponseBuilder response) => OnTarget(c).InScenario("fault").WillSetStateTo("healthy").RespondWith(response);

    private static void Always(Cell c, IResponseBuilder response) => OnTarget(c).RespondWith(response);

    private static IResponseBuilder Unauthorized() => Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json").WithBody("""{"detail": "token expired"}""");

    private static FakeResponse HealthyAnswer(Cell c) => c.Target == c.Service.Target || !c.Fault.UsesCreate ? Services.HealthyTarget(c.Service) : HealthyCreate(c);

    private static FakeResponse HealthyCreate(Cell c) => c.Service.Name switch
    {
        "MLflow" => RecordedAnswers.Respond(RecordedAnswers.Exchange(Services.MLflowRecording, "run-create")),
        "Airflow" => RecordedAnswers.Respond(RecordedAnswers.Exchange(Services.AirflowRecording, "trigger")),
        "Metaflow" => RecordedAnswers.Respond(RecordedAnswers.Exchange(Services.MetaflowRecording, "run-create")),
        "Kubeflow" => FakeResponse.JsonText(200, """{"run_id": "r-1", "experiment_id": "e-1", "display_name": "run", "pipeline_version_reference": {"pipeline_id": "p-1"}, "storage_state": "AVAILABLE", "state": "PENDING", "created_at": "2026-01-01T00:00:00Z"}"""),
        _ => FakeResponse.JsonText(201, """{"id": "2", "name": "fraud-2", "state": "LIVE", "createTimeSinceEpoch": "1767225600000", "lastUpdateTimeSinceEpoch": "1767225600000", "customProperties": {}}"""),
    };

    private static (string ContentType, string Body) HealthyParts(Cell c)
    {
        var answer = HealthyAnswer(c);
        return (answer.Headers.FirstOrDefault(h => h.Key == "Content-Type").Value ?? "application/json", Encoding.UTF8.GetString(answer.Body ?? []));
    }

    private static int HealthyStatus(Cell c) => HealthyAnswer(c).Status;

    private static IResponseBuilder Healthy(Cell c)
    {
        var (contentType, body) = HealthyParts(c);
        return Response.Create().WithStatusCode(HealthyStatus(c)).WithHeader("Content-Type", contentType).WithBody(body);
    }

    private static void UseTokenExchange(Cell c)
    {
        var issued = 0;
        c.Server.Given(Request.Create().WithPath("/auth/token").UsingPost()).RespondWith(Response.Create().WithCallback(_ =>
            Services.Token($"token-{Interlocked.Increment(ref issued)}", c.Clock.GetUtcNow()).ToResponseMessage()));
        c.ConfigureBackend = o =>
        {
            o.Auth.Type = "TokenExchange";
            o.Auth.Username = "admin";
            o.Auth.Password = "admin";
        };
    }

    private static void UseTokenFile(Cell c)
    {
        c.TokenFile = Path.Combine(Path.GetTempPath(), $"mlops-reliability-{Guid.NewGuid():N}.token");
        File.WriteAllText(c.TokenFile, "token-1");
        c.ConfigureBackend = o =>
        {
            o.Auth.Type = "TokenFile";
            o.Auth.TokenFile = c.TokenFile;
        };
    }
}
