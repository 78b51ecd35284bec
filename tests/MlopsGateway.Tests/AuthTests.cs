using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests;

public sealed class AuthTests
{
    private const string Password = "s3cr3t-P@ss-4711";
    private const string RunJson = """{"id":"r1","status":"running"}""";

    private static string Jwt(DateTimeOffset expires, string subject)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{B64("""{"alg":"none"}""")}.{B64($$"""{"sub":"{{subject}}","exp":{{expires.ToUnixTimeSeconds()}}}""")}.sig";
    }

    /// <summary>An Airflow-3-like server: POST /auth/token issues JWTs valid for an hour of the given clock; /runs/{id} demands the newest one.</summary>
    private sealed class TokenServer
    {
        private int _issued;
        public int Logins => _issued;
        public string? Current { get; private set; }
        public TimeProvider Clock { get; init; } = TimeProvider.System;
        public bool RejectAsExpired { get; set; }
        public string Rejection { get; set; } = "401";

        public FakeServer Start()
        {
            var server = FakeServer.Start();
            server.Route("POST", "/auth/token", async r =>
            {
                var body = r.Json!;
                if ((string?)body["username"] != "admin" || (string?)body["password"] != Password)
                {
                    return FakeResponse.Json(401, new JsonObject { ["detail"] = "Invalid credentials" });
                }
                await Task.Yield();
                var token = Jwt(Clock.GetUtcNow().AddHours(1), "admin-" + Interlocked.Increment(ref _issued));
                Current = token;
                return FakeResponse.Json(201, new JsonObject { ["access_token"] = token });
            });
            server.Route("GET", "/runs/{id}", r =>
            {
                var presented = r.Header("Authorization") ?? "";
                if (RejectAsExpired || presented != "Bearer " + Current)
                {
                    RejectAsExpired = false;
                    return Rejection == "403"
                        ? FakeResponse.Json(403, new JsonObject { ["detail"] = "Invalid JWT token" })
                        : FakeResponse.Json(401, new JsonObject { ["detail"] = "Token Expired" });
                }
                return FakeResponse.JsonText(200, RunJson);
            });
            return server;
        }
    }

    private static ServiceProvider TokenExchangeGateway(Uri baseUri, TimeProvider? time = null, LogCollector? logs = null)
        => TestGateway.ForServer(baseUri, o =>
        {
            o.Auth.Type = "TokenExchange";
            o.Auth.Username = "admin";
            o.Auth.Password = Password;
        }, time, logs);

    [Fact]
    public async Task Concurrent_first_calls_log_in_once()
    {
        var tokens = new TokenServer();
        await using var server = tokens.Start();
        await using var sp = TokenExchangeGateway(server.BaseUri);
        var runs = sp.GetRequiredService<IMlopsBackend>().Runs;

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => runs.GetAsync("r1")));

        tokens.Logins.Should().Be(1);
    }

    [Fact]
    public async Task The_token_is_refreshed_before_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokens = new TokenServer { Clock = clock };
        await using var server = tokens.Start();
        await using var sp = TokenExchangeGateway(server.BaseUri, clock);
        var runs = sp.GetRequiredService<IMlopsBackend>().Runs;

        await runs.GetAsync("r1");
        clock.Advance(TimeSpan.FromMinutes(58));
        await runs.GetAsync("r1");
        tokens.Logins.Should().Be(1, "the token is still valid for more than the 60 s margin");
        clock.Advance(TimeSpan.FromMinutes(1.5));
        await runs.GetAsync("r1");
        tokens.Logins.Should().Be(2, "within 60 s of exp the token is renewed before use");
    }

    [Theory]
    [InlineData("401")]
    [InlineData("403")]
    public async Task A_rejected_token_is_reobtained_once_and_the_request_resent(string rejection)
    {
        var tokens = new TokenServer { Rejection = rejection };
        await using var server = tokens.Start();
        await using var sp = TokenExchangeGateway(server.BaseUri);
        var runs = sp.GetRequiredService<IMlopsBackend>().Runs;
        await runs.GetAsync("r1");

        tokens.RejectAsExpired = true;
        (await runs.GetAsync("r1")).Id.Should().Be("r1");

        tokens.Logins.Should().Be(2);
        server.Requests.Count(r => r.Path == "/runs/r1").Should().Be(3);
    }

    [Fact]
    public async Task Wrong_credentials_are_an_authentication_error_without_the_password()
    {
        var tokens = new TokenServer();
        await using var server = tokens.Start();
        var logs = new LogCollector();
        await using var sp = TestGateway.ForServer(server.BaseUri, o =>
        {
            o.Auth.Type = "TokenExchange";
            o.Auth.Username = "admin";
            o.Auth.Password = "wrong-" + Password;
        }, logs: logs);
        var act = () => sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        var ex = (await act.Should().ThrowAsync<MlopsAuthenticationException>()).Which;
        ex.ToString().Should().NotContain(Password);
        logs.Messages.Should().NotContain(m => m.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Basic_auth_and_extra_headers_are_sent_from_secret_references()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, Password + "\n");
        Environment.SetEnvironmentVariable("MLOPS_TEST_WORKSPACE_4711", "team-a");
        try
        {
            await using var server = FakeServer.Start().Route("GET", "/runs/{id}", _ => FakeResponse.JsonText(200, RunJson));
            await using var sp = TestGateway.ForServer(server.BaseUri, o =>
            {
                o.Auth.Type = "Basic";
                o.Auth.Username = "admin";
                o.Auth.PasswordFrom = "file:" + file;
                o.Headers["X-Workspace"] = "env:MLOPS_TEST_WORKSPACE_4711";
            });
            await sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
            var request = server.Requests.Single();
            request.Header("Authorization").Should().Be("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Password)));
            request.Header("X-Workspace").Should().Be("team-a");
        }
        finally
        {
            File.Delete(file);
            Environment.SetEnvironmentVariable("MLOPS_TEST_WORKSPACE_4711", null);
        }
    }

    [Fact]
    public async Task A_rotated_token_file_is_reread()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "token-one");
        try
        {
            await using var server = FakeServer.Start().Route("GET", "/runs/{id}", _ => FakeResponse.JsonText(200, RunJson));
            await using var sp = TestGateway.ForServer(server.BaseUri, o =>
            {
                o.Auth.Type = "TokenFile";
                o.Auth.TokenFile = file;
            });
            var runs = sp.GetRequiredService<IMlopsBackend>().Runs;
            await runs.GetAsync("r1");
            await File.WriteAllTextAsync(file, "token-two-rotated");
            await runs.GetAsync("r1");
            server.Requests.Select(r => r.Header("Authorization")).Should().Equal("Bearer token-one", "Bearer token-two-rotated");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_token_provider_is_asked_again_after_a_401()
    {
        var provider = new CountingTokenProvider();
        await using var server = FakeServer.Start().Route("GET", "/runs/{id}", r =>
            r.Header("Authorization") == "Bearer fresh-2" ? FakeResponse.JsonText(200, RunJson) : FakeResponse.Empty(401));
        await using var sp = TestGateway.ForServer(server.BaseUri, o => o.Auth.Type = "Bearer",
            services: s => s.AddKeyedSingleton<IMlopsTokenProvider>("t", provider));
        await sp.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");
        provider.Calls.Should().Equal(false, true);
    }

    private sealed class CountingTokenProvider : IMlopsTokenProvider
    {
        public List<bool> Calls { get; } = [];
        public ValueTask<string> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add(forceRefresh);
                return ValueTask.FromResult("fresh-" + Calls.Count);
            }
        }
    }
}
