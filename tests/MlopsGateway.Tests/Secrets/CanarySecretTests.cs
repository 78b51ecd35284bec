using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlopsGateway.Testing;
using MlopsGateway.Tests.Support;

namespace MlopsGateway.Tests.Secrets;

/// <summary>
/// Issue 11 item 5: for every auth type a canary secret (and every form it travels in: the Basic header's base64, the
/// token a token exchange issues) appears in no log line captured at Trace, no exported span (name, tags, events and
/// their tags, status description), no exception message or <c>ToString()</c>, and no <c>Native</c> JSON — on
/// authentication failures (401, 403, a 401 whose message repeats the credential), on a retried request (503 then 200) and on a failed token exchange (refused,
/// 500, and a 422 that repeats the request body with the password, as FastAPI's validation errors do). The
/// backend is a real adapter (MLflow) built through DI, traced through <c>AddMlopsGatewayInstrumentation()</c>.
/// </summary>
public sealed class CanarySecretTests
{
    private const string Canary = "canary-7f3a9c-secret";
    private const string IssuedToken = "canary-issued-token-51be";

    public static TheoryData<string, string> Cells()
    {
        var cells = new TheoryData<string, string>();
        foreach (var auth in new[] { "Basic", "Bearer", "TokenExchange", "TokenFile", "Headers" })
        {
            foreach (var scenario in new[] { "401", "403", "401 echoing the credential", "503 then 200" })
            {
                cells.Add(auth, scenario);
            }
        }
        cells.Add("TokenExchange", "token exchange refused");
        cells.Add("TokenExchange", "token exchange 500");
        cells.Add("TokenExchange", "token exchange 422 echoing the body");
        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task The_canary_appears_in_no_log_span_exception_or_native_json(string auth, string scenario)
    {
        await using var server = FakeServer.Start();
        var runGets = 0;
        server.Route("POST", "/auth/token", _ => scenario switch
            {
                "token exchange refused" => FakeResponse.Json(401, new JsonObject { ["detail"] = "Invalid credentials" }),
                "token exchange 500" => FakeResponse.Text(500, "<html>upstream error</html>", "text/html"),
                // FastAPI's validation errors repeat the refused request body (recorded from Airflow 3.0's /auth/token).
                "token exchange 422 echoing the body" => FakeResponse.Json(422, new JsonObject
                {
                    ["detail"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "extra_forbidden",
                        ["loc"] = new JsonArray("body", "password"),
                        ["msg"] = "Extra inputs are not permitted",
                        ["input"] = new JsonObject { ["username"] = "admin", ["password"] = Canary },
                    }),
                }),
                _ => FakeResponse.Json(201, new JsonObject { ["access_token"] = Jwt() }),
            })
            .Route("GET", "/api/2.0/mlflow/runs/get", r => scenario switch
            {
                "401" => FakeResponse.Json(401, new JsonObject { ["error_code"] = "UNAUTHENTICATED", ["message"] = "You are not authenticated." }),
                // Some servers and proxies repeat what they refused; the gateway quotes the server's message.
                "401 echoing the credential" => FakeResponse.Json(401, new JsonObject
                {
                    ["error_code"] = "UNAUTHENTICATED",
                    ["message"] = $"Rejected Authorization '{r.Header("Authorization")}', X-Api-Key '{r.Header("X-Api-Key")}'",
                }),
                "403" => FakeResponse.Json(403, new JsonObject { ["error_code"] = "PERMISSION_DENIED", ["message"] = "Permission denied." }),
                _ when Interlocked.Increment(ref runGets) == 1 => FakeResponse.Text(503, "busy"),
                _ => FakeResponse.Json(200, RunBody()),
            });
        using var tokenFile = new TokenFile();
        var logs = new LogCollector();
        using var spans = new ExportedSpans();
        await using var services = Build(server, auth, tokenFile.Path, logs);
        var backend = services.GetRequiredService<IMlopsBackendProvider>().Get("ml");

        Run? run = null;
        Exception? failure;
        ActivityTraceId trace;
        using (var root = ExportedSpans.StartTestRoot())
        {
            trace = root.TraceId;
            failure = await Record.ExceptionAsync(async () => run = await backend.Runs.GetAsync("r1"));
            root.Stop();
        }

        if (scenario == "503 then 200")
        {
            failure.Should().BeNull();
            runGets.Should().Be(2, "the 503 was retried");
            run!.Native!.Value.GetRawText().Should().NotContainAny(Forms());
        }
        else
        {
            failure.Should().BeAssignableTo<MlopsException>();
            failure!.Message.Should().NotContainAny(Forms());
            failure.ToString().Should().NotContainAny(Forms());
        }
        server.Requests.Should().Contain(r => Carries(r, auth), "the canary was really sent, so its absence elsewhere means something");
        logs.Messages.Should().NotContain(m => Forms().Any(f => m.Contains(f, StringComparison.Ordinal)));
        var traced = spans.InTrace(trace);
        traced.Should().Contain(s => s.Source.Name == "MlopsGateway", "the operation was traced");
        foreach (var span in traced)
        {
            SpanText(span).Should().NotContainAny(Forms(), $"span {span.DisplayName} must not carry the secret");
        }
    }

    /// <summary>Whether the request carried the canary in the form its auth type sends it.</summary>
    private static bool Carries(RecordedRequest request, string auth) => auth switch
    {
        "Basic" => request.Header("Authorization") == "Basic " + Forms()[2],
        "Bearer" or "TokenFile" => request.Header("Authorization") == "Bearer " + Canary,
        "Headers" => request.Header("X-Api-Key") == Canary,
        _ => request.RawPath == "/auth/token" ? request.Body?.Contains(Canary, StringComparison.Ordinal) == true
            : request.Header("Authorization")?.Contains(IssuedToken, StringComparison.Ordinal) == true,
    };

    /// <summary>Every form the secret travels in.</summary>
    private static string[] Forms() => [Canary, IssuedToken, Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Canary))];

    private static string SpanText(Activity span)
    {
        var text = new StringBuilder(span.DisplayName).Append(' ').Append(span.StatusDescription);
        foreach (var tag in span.TagObjects)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }
        foreach (var e in span.Events)
        {
            text.Append(' ').Append(e.Name);
            foreach (var tag in e.Tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }
        }
        return text.ToString();
    }

    private static ServiceProvider Build(FakeServer server, string auth, string tokenFile, LogCollector logs)
    {
        var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddMlopsGateway(o =>
        {
            var backend = new BackendOptions { Type = "MLflow", BaseUrl = server.BaseUri.ToString() };
            backend.Resilience.BaseDelay = TimeSpan.FromMilliseconds(1);
            backend.Resilience.MaxDelay = TimeSpan.FromMilliseconds(5);
            backend.Auth.Type = auth;
            switch (auth)
            {
                case "Basic" or "TokenExchange":
                    backend.Auth.Username = "admin";
                    backend.Auth.Password = Canary;
                    break;
                case "Bearer":
                    backend.Auth.Token = Canary;
                    break;
                case "TokenFile":
                    backend.Auth.TokenFile = tokenFile;
                    break;
                case "Headers":
                    backend.Auth.Headers["X-Api-Key"] = Canary;
                    break;
            }
            o.Backends["ml"] = backend;
        }).AddMLflow();
        return services.BuildServiceProvider();
    }

    private static string Jwt()
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{B64("""{"alg":"none"}""")}.{B64($$"""{"sub":"{{IssuedToken}}","exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}""")}.{IssuedToken}";
    }

    private static JsonObject RunBody() => new()
    {
        ["run"] = new JsonObject
        {
            ["info"] = new JsonObject { ["run_id"] = "r1", ["experiment_id"] = "1", ["status"] = "FINISHED", ["lifecycle_stage"] = "active", ["artifact_uri"] = "mlflow-artifacts:/1/r1/artifacts" },
            ["data"] = new JsonObject(),
        },
    };

    private sealed class TokenFile : IDisposable
    {
        public TokenFile() => File.WriteAllText(Path, Canary);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlops-canary-{Guid.NewGuid():N}");

        public void Dispose() => File.Delete(Path);
    }
}
