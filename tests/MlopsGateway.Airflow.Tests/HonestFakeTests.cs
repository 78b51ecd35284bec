using Microsoft.Extensions.Time.Testing;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// DESIGN.md §5.4: the v1 fake answers each recorded request of an endpoint the adapter uses with the
/// status, error code and top-level keys a real Airflow 2.10.3 answered, and the v2 fake (speaking 3.0) those of
/// the real Airflow 3.0 — so a fake cannot share a misreading with the adapter.
/// </summary>
public sealed class HonestFakeTests
{

    [SharedFact]
    public async Task The_v1_fake_answers_recorded_requests_like_airflow_2_10_3()
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V1 });
        await using var _ = fake;
        fake.AddDag("train_evaluate", ["train", "evaluate"], tags: ["example", "ml"]);
        fake.AddDag("always_fails", ["boom"], tags: ["example"], failingTask: "boom");
        using var client = new HttpClient { BaseAddress = fake.BaseUri };
        var compared = 0;

        foreach (var e in Recordings.Load("airflow-2.10.3.jsonl"))
        {
            if (!IsAdapterEndpoint(e) || e.Note.Contains("SECOND webserver", StringComparison.Ordinal))
            {
                continue;
            }
            SeedRunTheRecordingAssumes(fake, e, "/api/v1/");
            using var request = BuildRequest(e);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            ((int)response.StatusCode).Should().Be(e.Status, e.ToString());
            if (e.ResponseBody is JsonObject recorded && JsonNode.Parse(body.Length == 0 ? "null" : body) is JsonObject actual)
            {
                Keys(actual).Should().BeEquivalentTo(Keys(recorded), e.ToString());
                if (recorded["type"] is JsonValue type)
                {
                    actual["type"]!.GetValue<string>().Should().EndWith(type.GetValue<string>()[type.GetValue<string>().IndexOf('#', StringComparison.Ordinal)..], e.ToString());
                }
                foreach (var (key, value) in recorded)
                {
                    if (value is JsonArray { Count: > 0 } items && items[0] is JsonObject first && actual[key] is JsonArray { Count: > 0 } mine)
                    {
                        Keys(mine[0]!.AsObject()).Should().BeEquivalentTo(Keys(first), $"{e}: items of {key}");
                    }
                }
            }
            compared++;
        }
        compared.Should().BeGreaterThan(50);
    }

    /// <summary>
    /// The v2 fake, speaking 3.0, answers each recorded Airflow 3.0 request of an endpoint the adapter uses with the
    /// recorded status, top-level keys (items' keys too) and, for errors, the same kind of <c>detail</c> (text, a
    /// validation list or an object). Tokens come from the fake's own <c>/auth/token</c>; the expired one is a fake
    /// token read after the fake's clock passed its expiry.
    /// </summary>
    [SharedFact]
    public async Task The_v2_fake_answers_recorded_requests_like_airflow_3_0()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2, ServerVersion = "3.0.0.dev202504110001", Clock = clock });
        await using var _ = fake;
        fake.AddDag("train_evaluate", ["prepare", "train", "evaluate"], tags: ["example", "ml"], minimums: new Dictionary<string, int> { ["epochs"] = 1 });
        fake.AddDag("always_fails", ["fail"], tags: ["example"], failingTask: "fail");
        using var client = new HttpClient { BaseAddress = fake.BaseUri };
        var token = await LoginAsync(client);
        var compared = 0;
        var mismatches = new List<string>();

        foreach (var e in Recordings.Load("airflow-3.0.jsonl"))
        {
            if (NotServedByTheV2Fake(e) is not null)
            {
                continue;
            }
            if (e.Id == "err-expired-token")
            {
                clock.Advance(TimeSpan.FromHours(2));
            }
            SeedRunTheRecordingAssumes(fake, e, "/api/v2/");
            using var request = BuildV2Request(e, e.Id == "err-expired-token" ? token : token = await FreshAsync(client, token, clock));
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            compared++;
            if ((int)response.StatusCode != e.Status)
            {
                mismatches.Add($"{e}: status {(int)response.StatusCode}: {body}");
                continue;
            }
            if (e.ResponseBody is not JsonObject recorded)
            {
                continue;
            }
            if (JsonNode.Parse(body.Length == 0 ? "null" : body) is not JsonObject actual)
            {
                mismatches.Add($"{e}: not a JSON object: {body}");
                continue;
            }
            if (!Keys(actual).Order().SequenceEqual(Keys(recorded).Order()))
            {
                mismatches.Add($"{e}: keys [{string.Join(",", Keys(actual).Order())}], recorded [{string.Join(",", Keys(recorded).Order())}]");
            }
            else if (recorded["detail"] is { } detail && detail.GetValueKind() != actual["detail"]!.GetValueKind())
            {
                mismatches.Add($"{e}: detail is {actual["detail"]!.GetValueKind()}, recorded {detail.GetValueKind()}");
            }
            foreach (var (key, value) in recorded)
            {
                if (value is JsonArray { Count: > 0 } items && items[0] is JsonObject first && actual[key] is JsonArray { Count: > 0 } mine
                    && !Keys(mine[0]!.AsObject()).Order().SequenceEqual(Keys(first).Order()))
                {
                    mismatches.Add($"{e}: items of {key} have keys [{string.Join(",", Keys(mine[0]!.AsObject()).Order())}], recorded [{string.Join(",", Keys(first).Order())}]");
                }
            }
        }

        mismatches.Should().BeEmpty();
        compared.Should().BeGreaterThan(60);
    }

    /// <summary>Why the v2 fake is not asked this recorded request, or null: it serves what the adapter calls, as JSON.</summary>
    private static string? NotServedByTheV2Fake(RecordedExchange e) => e switch
    {
        _ when Regex.IsMatch(e.Path, @"/(monitor/health|details|tasks(/[^/]+)?|clearTaskInstances|list)$|/xcomEntries|/tries/\d+$") => "an endpoint no gateway operation calls",
        _ when e.RequestHeaders["Accept"]?.GetValue<string>() is "text/plain" or "text/html" => "the gateway asks for JSON only; the fake answers JSON",
        _ => null,
    };

    private static async Task<string> LoginAsync(HttpClient client)
    {
        using var response = await client.PostAsync("auth/token", new StringContent("""{"username":"admin","password":"admin"}""", Encoding.UTF8, "application/json"));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["access_token"]!.GetValue<string>();
    }

    /// <summary>The token to send: the current one, or a fresh login once the fake's clock passed its expiry.</summary>
    private static async Task<string> FreshAsync(HttpClient client, string token, TimeProvider clock)
    {
        var payload = JsonNode.Parse(Convert.FromBase64String(Pad(token.Split('.')[1].Replace('-', '+').Replace('_', '/'))))!;
        return clock.GetUtcNow().ToUnixTimeSeconds() + 60 >= payload["exp"]!.GetValue<long>() ? await LoginAsync(client) : token;
    }

    private static string Pad(string s) => s + new string('=', (4 - (s.Length % 4)) % 4);

    private static HttpRequestMessage BuildV2Request(RecordedExchange e, string token)
    {
        var query = string.Join('&', e.Query.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path.TrimStart('/') + (query.Length > 0 ? "?" + query : ""));
        request.Headers.Authorization = e.Id switch
        {
            "err-no-token" => null,
            "err-garbage-token" => new AuthenticationHeaderValue("Bearer", "not-a-jwt"),
            "err-basic-auth" => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:admin"))),
            _ when e.RequestHeaders.ContainsKey("Authorization") => new AuthenticationHeaderValue("Bearer", token),
            _ => null,
        };
        if (e.RequestBody is not null)
        {
            var text = e.RequestBody is JsonValue v && v.TryGetValue<string>(out var raw) ? raw : e.RequestBody.ToJsonString();
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(e.RequestHeaders["Content-Type"]?.GetValue<string>() ?? "application/json");
        }
        return request;
    }

    private static IEnumerable<string> Keys(JsonObject o) => o.Select(kv => kv.Key);

    private static bool IsAdapterEndpoint(RecordedExchange e)
        => !Regex.IsMatch(e.Path, @"/(health|details|importErrors|pools|eventLogs|setNote|clearTaskInstances|list)$|/xcomEntries|/taskInstances/[^/]+$");

    private static void SeedRunTheRecordingAssumes(AirflowFake fake, RecordedExchange e, string prefix)
    {
        var m = Regex.Match(e.Path, "^" + prefix + @"dags/([^/~]+)/dagRuns/([^/]+)");
        if (!m.Success || (e.Status >= 300 && e.Status != 204) || (e.Method == "POST" && e.Path.EndsWith("/dagRuns", StringComparison.Ordinal)))
        {
            return;
        }
        var dagId = Uri.UnescapeDataString(m.Groups[1].Value);
        var runId = Uri.UnescapeDataString(m.Groups[2].Value);
        if (fake.RunState(dagId, runId) is null)
        {
            fake.SeedRun(dagId, runId);
        }
        if (e.ResponseBody is JsonObject body && body["state"]?.GetValue<string>() is "success" or "failed")
        {
            fake.CompleteRun(dagId, runId, body["state"]!.GetValue<string>() == "success");
        }
    }

    private static HttpRequestMessage BuildRequest(RecordedExchange e)
    {
        var query = string.Join('&', e.Query.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path.TrimStart('/') + (query.Length > 0 ? "?" + query : ""));
        var (user, password) = e.Note switch
        {
            "wrong password" => ("admin", "not-the-password"),
            "unknown user" => ("nobody", "x"),
            "no credentials" => ((string?)null, (string?)null),
            _ => e.RequestHeaders.ContainsKey("Authorization") ? ("admin", "admin") : (null, null),
        };
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        if (e.RequestBody is not null)
        {
            var text = e.RequestBody is JsonValue v && v.TryGetValue<string>(out var raw) ? raw : e.RequestBody.ToJsonString();
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        return request;
    }
}
