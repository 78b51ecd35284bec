using Microsoft.Extensions.Time.Testing;
using System.Text.Json.Nodes;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>The v2 JWT flow end to end through the core's auth, and task logs followed through continuation tokens.</summary>
public sealed class AuthAndLogTests
{
    [Fact]
    public async Task V2_gets_one_token_for_concurrent_first_calls_and_sends_it_as_bearer()
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2 });
        await using var _ = fake;
        fake.AddDag("train", ["t"]);
        using var sp = AirflowHost.ForFake(fake, FakeDialect.V2);
        var backend = sp.Backend();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => backend.Pipelines.GetAsync("train")));

        results.Should().HaveCount(16).And.OnlyContain(p => p.Id == "train");
        fake.TokensIssued.Should().Be(1);
        var token = fake.Server.Requests.Single(r => r.Path == "/auth/token");
        JsonNode.DeepEquals(JsonNode.Parse(token.Body!), JsonNode.Parse("""{"username":"admin","password":"admin"}""")).Should().BeTrue(token.Body);
        fake.Server.Requests.Where(r => r.Path.StartsWith("/api/v2/", StringComparison.Ordinal))
            .Should().OnlyContain(r => r.Header("Authorization")!.StartsWith("Bearer ey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V2_refreshes_the_token_before_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2, Clock = clock, TokenLifetime = TimeSpan.FromMinutes(30) });
        await using var _ = fake;
        fake.AddDag("train", ["t"]);
        using var sp = AirflowHost.ForFake(fake, FakeDialect.V2, clock: clock);
        var backend = sp.Backend();

        await backend.Pipelines.GetAsync("train");
        clock.Advance(TimeSpan.FromMinutes(10));
        await backend.Pipelines.GetAsync("train");
        clock.Advance(TimeSpan.FromMinutes(25));
        await backend.Pipelines.GetAsync("train");

        fake.TokensIssued.Should().Be(2, "the first token is reused while valid and replaced before its exp");
        fake.Server.Requests.Where(r => r.Path.StartsWith("/api/v2/", StringComparison.Ordinal)).Should().HaveCount(3, "no call was rejected");
    }

    [Fact]
    public async Task V2_logs_in_again_once_on_token_expired_and_on_invalid_jwt()
    {
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2, Clock = serverClock, TokenLifetime = TimeSpan.FromHours(1) });
        await using var _ = fake;
        fake.AddDag("train", ["t"]);
        using var sp = AirflowHost.ForFake(fake, FakeDialect.V2, clock: new FakeTimeProvider(serverClock.GetUtcNow()));
        var backend = sp.Backend();
        await backend.Pipelines.GetAsync("train");

        serverClock.Advance(TimeSpan.FromHours(2)); // the server thinks the token expired; the client's clock does not
        await backend.Pipelines.GetAsync("train");
        fake.RotateSigningKey(); // 403 "Invalid JWT token"
        await backend.Pipelines.GetAsync("train");

        fake.TokensIssued.Should().Be(3);
        fake.Server.Requests.Where(r => r.Path == "/api/v2/dags/train").Should().HaveCount(5, "each rejected call was sent again once with the new token");
    }

    [Fact]
    public async Task V2_wrong_password_is_an_authentication_error()
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2 });
        await using var _ = fake;
        using var sp = AirflowHost.ForFake(fake, FakeDialect.V2, b => b.Auth.Password = "s3cr3t-pw");

        var e = (await FluentActions.Awaiting(() => sp.Backend().Pipelines.GetAsync("train")).Should().ThrowAsync<MlopsAuthenticationException>()).Which;

        e.Message.Should().NotContain("s3cr3t-pw");
        fake.Server.Requests.Should().OnlyContain(r => r.Path == "/auth/token");
    }

    [Theory]
    [InlineData("v2", 1)]
    [InlineData("auto", 2)]
    public async Task V2_health_asks_the_public_version_endpoint_without_logging_in_even_when_logins_are_refused(string apiVersion, int versionCalls)
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2 });
        await using var _ = fake;
        using var sp = AirflowHost.ForFake(fake, FakeDialect.V2, b => b.Auth.Password = "refused-pw", apiVersion: apiVersion);

        var health = await sp.Backend().CheckHealthAsync();
        var refused = () => sp.Backend().Pipelines.GetAsync("train");

        health.IsHealthy.Should().BeTrue(health.Description);
        health.ServerVersion.Should().Be("3.1.0");
        fake.Server.Requests.Should().HaveCount(versionCalls, "the dialect probe (auto) and the version read, nothing else")
            .And.OnlyContain(r => r.Path == "/api/v2/version" && r.Header("Authorization") == null);
        fake.TokensIssued.Should().Be(0);
        await refused.Should().ThrowAsync<MlopsAuthenticationException>("an endpoint that needs a token still logs in, and the login is refused");
        fake.Server.Requests.Should().Contain(r => r.Path == "/auth/token");
    }

    [Fact]
    public async Task V1_sends_the_version_request_without_basic_credentials_and_the_rest_with_them()
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V1 });
        await using var _ = fake;
        fake.AddDag("train", ["t"]);
        using var sp = AirflowHost.ForFake(fake, FakeDialect.V1);

        var health = await sp.Backend().CheckHealthAsync();
        await sp.Backend().Pipelines.GetAsync("train");

        health.ServerVersion.Should().Be("2.10.3");
        fake.Server.Requests.Select(r => (r.Path, r.Header("Authorization")?.Split(' ')[0])).Should().Equal(("/api/v1/version", null), ("/api/v1/dags/train", "Basic"));
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Reads_a_finished_task_log_through_continuation_tokens(FakeDialect dialect)
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect });
        await using var _ = fake;
        fake.AddDag("train", ["prepare", "fit"]);
        using var sp = AirflowHost.ForFake(fake, dialect);
        var backend = sp.Backend();
        var run = await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "r+1", Parameters = new JsonObject { ["it's"] = "a \"quote\"\\" } });
        fake.RunAll();

        var lines = await backend.Pipelines.ReadTaskLogAsync(run, "prepare").ToListAsync();
        var missing = () => backend.Pipelines.ReadTaskLogAsync(run, "prepare", new TaskLogOptions { Attempt = 2 }).ToListAsync().AsTask();

        lines.Should().Equal(
            "[fake] Starting attempt 1 of 1",
            """[fake] Running task prepare with conf {"it's":"a \"quote\"\\"}""",
            "[fake] Task exited with return code 0");
        await missing.Should().ThrowAsync<MlopsNotFoundException>();
        var logCalls = fake.Server.Requests.Where(r => r.Path.Contains("/logs/", StringComparison.Ordinal)).ToList();
        logCalls.Should().ContainSingle("a finished log says end on the first chunk; a missing try is refused before asking for its log");
        logCalls[0].Path.Should().Be($"/api/{(dialect == FakeDialect.V1 ? "v1" : "v2")}/dags/train/dagRuns/r+1/taskInstances/prepare/logs/1");
        logCalls[0].Query.Should().BeEmpty();
        logCalls[0].Header("Accept").Should().Be("application/json");
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Follows_a_task_from_before_it_starts_until_it_is_terminal_without_duplicates(FakeDialect dialect)
    {
        // Each task-instance read advances the fake's scheduler one step, so the follower drives the run.
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect, AdvanceOnTaskRead = true });
        await using var _ = fake;
        fake.AddDag("fails", ["boom", "after"], failingTask: "boom");
        using var sp = AirflowHost.ForFake(fake, dialect);
        var backend = sp.Backend();
        var run = await backend.Pipelines.TriggerAsync("fails", new TriggerOptions { RunId = "f1" });

        var reading = backend.Pipelines.ReadTaskLogAsync(run, "boom", new TaskLogOptions { Follow = true, PollInterval = TimeSpan.FromMilliseconds(1) }).ToListAsync();
        var lines = await reading;
        var tasks = await backend.Pipelines.ListTaskRunsAsync(run).ToListAsync();

        lines.Should().Equal("[fake] Starting attempt 1 of 1", "[fake] Running task boom with conf {}", "[fake] Task exited with return code 1");
        tasks.Select(t => (t.Name, t.Status, t.RawStatus)).Should().Equal(("boom", RunStatus.Failed, "failed"), ("after", RunStatus.Failed, "upstream_failed"));
        fake.Server.Requests.Count(r => r.Path.Contains("/logs/", StringComparison.Ordinal)).Should().BeGreaterThan(2, "the not-started task already said end, so the reader kept polling");
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Waits_for_completion_with_progress_and_reads_the_earlier_attempt_after_a_retry(FakeDialect dialect)
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect, AdvanceOnRunRead = true });
        await using var _ = fake;
        fake.AddDag("train", ["prepare", "fit"]);
        using var sp = AirflowHost.ForFake(fake, dialect);
        var backend = sp.Backend();
        var run = await backend.Pipelines.TriggerAsync("train", new TriggerOptions { Parameters = new JsonObject { ["epochs"] = 3 } });
        var seen = new List<RunStatus>();
        var progress = new Progress<Run>(r => { lock (seen) { seen.Add(r.Status); } });
        var fast = new WaitOptions { InitialPollInterval = TimeSpan.FromMilliseconds(1), MaxPollInterval = TimeSpan.FromMilliseconds(2), Timeout = TimeSpan.FromSeconds(20) };

        var done = await backend.Runs.WaitForCompletionAsync(run, fast, progress);
        var retried = await backend.Runs.RetryAsync(done);
        var again = await backend.Runs.WaitForCompletionAsync(retried, fast);
        var fit = (await backend.Pipelines.ListTaskRunsAsync(again).ToListAsync()).Single(t => t.Name == "fit");
        var first = await backend.Pipelines.ReadTaskLogAsync(again, fit.Id, new TaskLogOptions { Attempt = 1 }).ToListAsync();
        var latest = await backend.Pipelines.ReadTaskLogAsync(again, fit.Id).ToListAsync();

        done.Status.Should().Be(RunStatus.Succeeded);
        done.Params.Should().Equal(new Dictionary<string, string> { ["epochs"] = "3" });
        again.Status.Should().Be(RunStatus.Succeeded);
        fit.Attempt.Should().Be(2);
        first[0].Should().Be("[fake] Starting attempt 1 of 1");
        latest[0].Should().Be("[fake] Starting attempt 2 of 2");
        await Eventually.TrueAsync(() => { lock (seen) { return seen.Contains(RunStatus.Succeeded); } }, "progress reports the final state");
    }
}
