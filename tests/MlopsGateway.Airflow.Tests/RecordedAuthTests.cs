using Microsoft.Extensions.Time.Testing;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// Issue 15 item 3, proven with the exchanges recorded from Airflow 3.0: the token exchange answers 201 and is
/// accepted; a 401 "Token Expired" costs one fresh login and one resend, then the call succeeds; a 403
/// "Invalid JWT token" costs one fresh login and one resend, then is an <see cref="MlopsAuthenticationException"/>
/// (the credential is wrong, not the permissions).
/// </summary>
public sealed class RecordedAuthTests
{
    private static readonly Lazy<IReadOnlyList<RecordedExchange>> s_recording = new(() => Recordings.Load("airflow-3.0.jsonl"));

    private static RecordedExchange Get(string id) => s_recording.Value.Single(e => e.Id == id);

    [SharedFact]
    public async Task An_expired_token_is_replaced_once_and_the_call_sent_again()
    {
        var dagCalls = 0;
        await using var server = await StartAsync(() => Interlocked.Increment(ref dagCalls) == 1 ? Get("err-expired-token") : Get("dags-list"));
        using var sp = Backend(server.BaseUri);

        var dags = await sp.Backend().Pipelines.ListAsync().ToListAsync();

        dags.Select(d => d.Id).Should().Equal("always_fails", "train_evaluate");
        Calls(server, "/auth/token").Should().Be(2, "the recorded 201 token is taken, then one fresh login after 'Token Expired'");
        Calls(server, "/api/v2/dags").Should().Be(2, "the rejected call is sent once more with the new token");
        server.Requests.Where(r => r.Path == "/api/v2/dags").Should().OnlyContain(r => r.Header("Authorization")!.StartsWith("Bearer eyJ", StringComparison.Ordinal));
    }

    [SharedFact]
    public async Task A_token_Airflow_cannot_verify_is_replaced_once_then_is_an_authentication_error()
    {
        await using var server = await StartAsync(() => Get("err-garbage-token"));
        using var sp = Backend(server.BaseUri);

        var thrown = (await FluentActions.Awaiting(() => sp.Backend().Pipelines.ListAsync().ToListAsync())
            .Should().ThrowAsync<MlopsAuthenticationException>()).Which;

        thrown.Should().NotBeAssignableTo<MlopsAuthorizationException>();
        thrown.Status.Should().Be(403);
        thrown.Message.Should().Contain("Invalid JWT token").And.Contain("'admin'").And.NotContain("admin-secret");
        Calls(server, "/auth/token").Should().Be(2, "one fresh login after the first 403");
        Calls(server, "/api/v2/dags").Should().Be(2, "sent once more, then the second 403 is final");
    }

    [SharedFact]
    public async Task A_refused_login_is_an_authentication_error_without_the_password()
    {
        await using var server = await StartAsync(() => Get("dags-list"), token: Get("auth-token-wrong-password"));
        using var sp = Backend(server.BaseUri);

        var thrown = (await FluentActions.Awaiting(() => sp.Backend().Pipelines.ListAsync().ToListAsync())
            .Should().ThrowAsync<MlopsAuthenticationException>()).Which;

        thrown.Status.Should().Be(401);
        thrown.Message.Should().NotContain("admin-secret");
        Calls(server, "/api/v2/dags").Should().Be(0);
    }

    /// <summary>A v2 backend logging in as admin, on a clock at the recording's moment so the recorded token is fresh whenever the test runs.</summary>
    private static Microsoft.Extensions.DependencyInjection.ServiceProvider Backend(Uri server) => AirflowHost.Build(server, "v2", b =>
    {
        b.Auth.Type = "TokenExchange";
        b.Auth.Username = "admin";
        b.Auth.Password = "admin-secret";
    }, RecordedAt);

    /// <summary>When the 3.0 session was recorded (its tokens were issued then, valid for 24 hours).</summary>
    internal static FakeTimeProvider RecordedAt => new(new DateTimeOffset(2026, 12, 6, 4, 39, 0, TimeSpan.Zero));

    private static int Calls(FakeServer server, string path) => server.Requests.Count(r => r.Path == path);

    /// <summary>A server answering the token exchange with the recorded 201 (or <paramref name="token"/>) and the DAG listing with <paramref name="dags"/>.</summary>
    private static Task<FakeServer> StartAsync(Func<RecordedExchange> dags, RecordedExchange? token = null)
        => Task.FromResult(FakeServer.Start().Fallback(r =>
        {
            var answer = r.Path == "/auth/token" ? token ?? Get("auth-token") : dags();
            var response = new FakeResponse { Status = answer.Status, Body = System.Text.Encoding.UTF8.GetBytes(answer.ResponseText) };
            if (answer.ResponseHeader("content-type") is { } type)
            {
                response = response.WithHeader("Content-Type", type);
            }
            return answer.ResponseHeader("www-authenticate") is { } challenge ? response.WithHeader("WWW-Authenticate", challenge) : response;
        }));
}
