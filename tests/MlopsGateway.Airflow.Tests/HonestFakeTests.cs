using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>
/// DESIGN.md §5.4: the v1 fake answers each recorded request of an endpoint the adapter uses with the
/// status, error code and top-level keys a real Airflow 2.10.3 answered — so the fake cannot share a
/// misreading with the adapter.
/// </summary>
public sealed class HonestFakeTests
{
    private static readonly Regex RunPath = new(@"^/api/v1/dags/([^/~]+)/dagRuns/([^/]+)");

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
            SeedRunTheRecordingAssumes(fake, e);
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

    private static IEnumerable<string> Keys(JsonObject o) => o.Select(kv => kv.Key);

    private static bool IsAdapterEndpoint(RecordedExchange e)
        => !Regex.IsMatch(e.Path, @"/(health|details|importErrors|pools|eventLogs|setNote|clearTaskInstances|list)$|/xcomEntries|/taskInstances/[^/]+$");

    private static void SeedRunTheRecordingAssumes(AirflowFake fake, RecordedExchange e)
    {
        var m = RunPath.Match(e.Path);
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
