using MlopsGateway.Testing;
using MlopsGateway.Airflow.Tests.Fake;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// The retry mark of each kind of Airflow endpoint, proven with a 503 on its first attempt, in both dialects: a trigger
/// and a clear are never re-sent once sent; pausing and setting a run's state (idempotent PATCHes), reads, deletes and
/// the anonymous version read are re-sent and succeed. Airflow has no streamed uploads and no endpoint with a
/// permanent status.
/// </summary>
public sealed class RetryRuleTests
{
    private const string RunId = "r:1+x";

    [Theory]
    [InlineData(FakeDialect.V1, "POST", "/dagRuns", 1)]
    [InlineData(FakeDialect.V2, "POST", "/dagRuns", 1)]
    [InlineData(FakeDialect.V1, "POST", "/clear", 1)]
    [InlineData(FakeDialect.V2, "POST", "/clear", 1)]
    [InlineData(FakeDialect.V1, "PATCH", "/dags/train", 2)]
    [InlineData(FakeDialect.V2, "PATCH", "/dags/train", 2)]
    [InlineData(FakeDialect.V1, "PATCH", "/dagRuns/r%3A1%2Bx", 2)]
    [InlineData(FakeDialect.V2, "PATCH", "/dagRuns/r%3A1%2Bx", 2)]
    [InlineData(FakeDialect.V1, "GET", "/dagRuns/r%3A1%2Bx", 2)]
    [InlineData(FakeDialect.V2, "GET", "/dagRuns/r%3A1%2Bx", 2)]
    [InlineData(FakeDialect.V1, "DELETE", "/dagRuns/r%3A1%2Bx", 2)]
    [InlineData(FakeDialect.V2, "DELETE", "/dagRuns/r%3A1%2Bx", 2)]
    [InlineData(FakeDialect.V1, "GET", "/version", 2)]
    [InlineData(FakeDialect.V2, "GET", "/version", 2)]
    public async Task A_503_on_the_first_attempt_is_retried_only_where_re_sending_is_safe(FakeDialect dialect, string method, string pathEnd, int attempts)
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect });
        await using var _ = fake;
        fake.AddDag("train", ["fit"]);
        fake.SeedRun("train", RunId);
        var failed = 0;
        fake.Intercept = r => Matches(r, method, pathEnd) && Interlocked.Exchange(ref failed, 1) == 0 ? (503, """{"detail": "busy"}""") : null;
        using var sp = AirflowHost.ForFake(fake, dialect);
        var backend = sp.Backend();
        var run = $"train/{Uri.EscapeDataString(RunId)}";

        Func<Task> act = (method, pathEnd) switch
        {
            ("POST", "/dagRuns") => () => backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "r2" }),
            ("POST", "/clear") => () => backend.Runs.RetryAsync(run),
            ("PATCH", "/dags/train") => () => backend.Pipelines.PauseAsync("train"),
            ("PATCH", _) => () => backend.Runs.CancelAsync(run),
            ("GET", "/version") => async () => (await backend.CheckHealthAsync()).IsHealthy.Should().BeTrue(),
            ("GET", _) => () => backend.Runs.GetAsync(run),
            ("DELETE", _) => () => backend.Runs.DeleteAsync(run),
            _ => throw new InvalidOperationException(method + " " + pathEnd),
        };

        if (attempts == 1)
        {
            var thrown = (await act.Should().ThrowAsync<MlopsUnavailableException>()).Which;
            thrown.Status.Should().Be(503);
        }
        else
        {
            await act.Should().NotThrowAsync();
        }
        fake.RawTargets.Where(t => t.Split('?')[0].EndsWith(pathEnd, StringComparison.Ordinal)).Should().HaveCount(attempts);
        fake.Server.Requests.Count(r => r.Method == method && !r.Path.StartsWith("/auth/", StringComparison.Ordinal)).Should().Be(attempts);
    }

    private static bool Matches(FakeRequest request, string method, string pathEnd)
        => request.Method == method && request.RawPath.EndsWith(pathEnd, StringComparison.Ordinal);
}
