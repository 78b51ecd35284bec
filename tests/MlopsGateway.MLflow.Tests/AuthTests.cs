using System.Text;

namespace MlopsGateway.MLflow.Tests;

/// <summary>Basic auth (MLflow's auth app), bearer tokens (managed MLflow) and extra headers (workspaces) reach the server on every request.</summary>
public sealed class AuthTests
{
    [Fact]
    public async Task Basic_auth_and_a_workspace_header_are_sent_on_api_and_artifact_requests()
    {
        await using var h = await MLflowHarness.StartAsync(o =>
        {
            o.Auth.Type = "Basic";
            o.Auth.Username = "admin";
            o.Auth.Password = "password1234";
            o.Headers["X-MLFLOW-WORKSPACE"] = "team-a";
        });
        var run = await h.Runs.CreateRunAsync("0");
        await h.Runs.UploadArtifactAsync(run, "a.txt", RunClientTests.Utf8("x"));

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:password1234"));
        h.Fake.Requests.Should().OnlyContain(r => r.Header("Authorization") == expected && r.Header("X-MLFLOW-WORKSPACE") == "team-a");
        h.Fake.Requests.Should().Contain(r => r.Method == "PUT");
    }

    [Fact]
    public async Task A_bearer_token_is_sent_and_a_401_text_answer_is_an_authentication_error()
    {
        await using var h = await MLflowHarness.StartAsync(o =>
        {
            o.Auth.Type = "Bearer";
            o.Auth.Token = "abc.def";
        });
        await h.Runs.GetExperimentAsync("0");
        h.Fake.Requests.Single().Header("Authorization").Should().Be("Bearer abc.def");

        h.Fake.Intercept = _ => (401, "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.", "text/html; charset=utf-8");
        var thrown = (await h.Runs.Invoking(r => r.GetExperimentAsync("0")).Should().ThrowAsync<MlopsAuthenticationException>()).Which;
        thrown.Message.Should().NotContain("abc.def", "secrets never appear in messages");
    }
}
