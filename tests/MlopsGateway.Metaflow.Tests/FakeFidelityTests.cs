using Microsoft.Extensions.Time.Testing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlopsGateway.Metaflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>
/// The fake answers every recorded real request with the recorded status, content type, version header and
/// body shape (top-level keys; element keys of lists). Before each exchange it is reset and seeded through its
/// own HTTP API with the objects the request's path names — except components named as missing
/// (<c>NoSuch…</c>, <c>nosuch…</c>, <c>999999999</c>) and the target of a GET the real service answered 404.
/// A recorded duplicate (409, or a 200 that stored fewer rows than sent) is preceded by the same request once.
/// </summary>
public sealed class FakeFidelityTests
{
    private static readonly string[] SeedSystemTags = ["user:alice", "runtime:dev", "python_version:3.11.2", "metaflow_version:2.19.38"];

    [SharedFact]
    public async Task The_fake_answers_every_recorded_request_like_the_real_service()
    {
        var clock = new FakeTimeProvider(MetaflowHost.Start);
        await using var fake = await MetaflowFake.StartAsync(clock);
        using var http = new HttpClient { BaseAddress = fake.BaseUri };
        var mismatches = new List<string>();
        foreach (var e in RecordedWire.All)
        {
            fake.Reset();
            await SeedAsync(fake, http, clock, e);
            if (e.Status == 409 || IsShortCount(e))
            {
                (await SendAsync(http, e)).Dispose();
            }
            using var response = await SendAsync(http, e);
            var body = await response.Content.ReadAsStringAsync();
            Compare(e, response, body, mismatches);
        }
        mismatches.Should().BeEmpty();
    }

    private static bool IsShortCount(RecordedExchange e)
        => e.Method == "POST" && e.RequestBody is JsonArray { Count: > 0 } sent
           && e.ResponseBody is JsonObject o && o["artifacts_created"] is { } c && c.GetValue<int>() < sent.Count;

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, RecordedExchange e)
    {
        var query = e.Query.Count == 0 ? "" : "?" + string.Join("&", e.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path.TrimStart('/') + query);
        if (e.RequestBody is not null)
        {
            var text = e.RequestBody is JsonValue v && v.TryGetValue<string>(out var raw) ? raw : e.RequestBody.ToJsonString();
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        return http.SendAsync(request);
    }

    private static bool Missing(string value)
        => value.Contains("nosuch", StringComparison.OrdinalIgnoreCase) || value == "999999999";

    private static async Task SeedAsync(MetaflowFake fake, HttpClient http, FakeTimeProvider clock, RecordedExchange e)
    {
        var p = e.Path.Trim('/').Split('/');
        if (e.Method == "GET" && e.ResponseBody is JsonArray { Count: > 0 } && p[0] == "flows")
        {
            await FillListAsync(fake, http, p);
            clock.Advance(TimeSpan.FromSeconds(60));
            return;
        }
        if (p.Length < 2 || p[0] != "flows")
        {
            return;
        }
        // Which path component is the object the request creates (never seeded) or the GET's 404 target (absent on the real service).
        var creates = e.Method == "POST" && (p.Length == 2 || p[^1] is "run" or "step" or "task");
        var getMissing = e.Method == "GET" && e.Status == 404;
        var objectDepth = p.Length switch { 2 => 1, 3 when p[2] == "run" => 2, 4 => 2, 6 => 3, 8 => 4, _ => 0 };
        bool Skip(int level) => (creates && level == (p[^1] switch { "run" => 2, "step" => 3, "task" => 4, _ => 1 })) || (getMissing && level == objectDepth);

        var flow = p[1];
        if (Missing(flow) || Skip(1))
        {
            return;
        }
        await PostAsync(http, $"flows/{flow}", new JsonObject());
        if (p.Length < 4 || p[2] != "runs" || Missing(p[3]) || Skip(2))
        {
            clock.Advance(TimeSpan.FromSeconds(60));
            return;
        }
        var run = p[3];
        if (run.All(char.IsAsciiDigit))
        {
            fake.SeedSequences(long.Parse(run), null);
        }
        var runBody = new JsonObject { ["user_name"] = "alice", ["tags"] = new JsonArray("team:ml"), ["system_tags"] = new JsonArray([.. SeedSystemTags.Select(t => (JsonNode)t)]) };
        if (!run.All(char.IsAsciiDigit))
        {
            runBody["run_number"] = run;
        }
        await PostAsync(http, $"flows/{flow}/run", runBody);
        if (p.Length >= 6 && p[4] == "steps" && !Missing(p[5]) && !Skip(3))
        {
            var step = p[5];
            await PostAsync(http, $"flows/{flow}/runs/{run}/steps/{step}/step", new JsonObject { ["user_name"] = "alice" });
            if (p.Length >= 8 && p[6] == "tasks" && !Missing(p[7]) && !Skip(4))
            {
                var task = p[7];
                var taskBody = new JsonObject { ["user_name"] = "alice", ["system_tags"] = new JsonArray([.. SeedSystemTags.Select(t => (JsonNode)t)]) };
                if (task.All(char.IsAsciiDigit))
                {
                    fake.SeedSequences(null, long.Parse(task));
                }
                else
                {
                    taskBody["task_id"] = task;
                }
                await PostAsync(http, $"flows/{flow}/runs/{run}/steps/{step}/task", taskBody);
                // A single artifact the real service found: register it (at the path's attempt, else 0).
                if (e.Method == "GET" && e.Status == 200 && p.Length >= 10 && p[8] == "artifacts")
                {
                    var attempt = p.Length >= 12 ? int.Parse(p[11]) : 0;
                    await PostAsync(http, $"flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/artifact", new JsonArray(new JsonObject
                    {
                        ["name"] = p[9], ["attempt_id"] = attempt, ["location"] = "s3://b/x", ["ds_type"] = "s3", ["sha"] = "s",
                        ["type"] = "metaflow.artifact", ["content_type"] = "pickle-v4",
                    }));
                }
            }
        }
        // Objects exist "for a while" — except for a heartbeat the real service refused although its object
        // existed, which is the beat-within-10-seconds case.
        var beatTooSoon = p[^1] == "heartbeat" && e.Status == 404 && !p.Any(Missing);
        if (!beatTooSoon)
        {
            clock.Advance(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>A listing the real service answered with rows: create the listed object (and what it hangs under) so the fake lists one too.</summary>
    private static async Task FillListAsync(MetaflowFake fake, HttpClient http, string[] p)
    {
        var flow = p.Length > 1 ? p[1] : "SeedFlow";
        await PostAsync(http, $"flows/{flow}", new JsonObject());
        if (p.Length == 1)
        {
            return;
        }
        var run = p.Length > 3 ? p[3] : "argo-seed";
        var runBody = new JsonObject { ["user_name"] = "alice", ["system_tags"] = new JsonArray([.. SeedSystemTags.Select(t => (JsonNode)t)]) };
        if (run.All(char.IsAsciiDigit))
        {
            fake.SeedSequences(long.Parse(run), null);
        }
        else
        {
            runBody["run_number"] = run;
        }
        await PostAsync(http, $"flows/{flow}/run", runBody);
        if (p.Length == 3)
        {
            return;
        }
        var step = p.Length > 5 ? p[5] : "start";
        await PostAsync(http, $"flows/{flow}/runs/{run}/steps/{step}/step", new JsonObject());
        if (p[^1] == "steps")
        {
            return;
        }
        var task = p.Length > 7 && p[6] == "tasks" ? p[7] : "seed-task";
        var taskBody = new JsonObject { ["system_tags"] = new JsonArray([.. SeedSystemTags.Select(t => (JsonNode)t)]) };
        if (task.All(char.IsAsciiDigit))
        {
            fake.SeedSequences(null, long.Parse(task));
        }
        else
        {
            taskBody["task_id"] = task;
        }
        await PostAsync(http, $"flows/{flow}/runs/{run}/steps/{step}/task", taskBody);
        var taskPath = $"flows/{flow}/runs/{run}/steps/{step}/tasks/{task}";
        if (p[^1] is "metadata" or "filtered_tasks")
        {
            await PostAsync(http, taskPath + "/metadata", new JsonArray(new JsonObject { ["field_name"] = "attempt_ok", ["value"] = "True", ["type"] = "internal_attempt_status", ["tags"] = new JsonArray("attempt_id:0") }));
        }
        if (p[^1] == "artifacts")
        {
            var attempt = p.Length > 9 && p[8] == "attempt" ? int.Parse(p[9]) : 0;
            await PostAsync(http, taskPath + "/artifact", new JsonArray(new JsonObject
            {
                ["name"] = "x", ["attempt_id"] = attempt, ["location"] = "s3://b/x", ["ds_type"] = "s3", ["sha"] = "s", ["type"] = "metaflow.artifact", ["content_type"] = "pickle-v4",
            }));
        }
    }

    private static async Task PostAsync(HttpClient http, string path, JsonNode body)
    {
        using var response = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.IsSuccessStatusCode.Should().BeTrue($"seeding POST {path} answered {(int)response.StatusCode}");
    }

    private static void Compare(RecordedExchange e, HttpResponseMessage response, string body, List<string> mismatches)
    {
        void Fail(string what) => mismatches.Add($"{e}: {what}");
        if ((int)response.StatusCode != e.Status)
        {
            Fail($"status {(int)response.StatusCode}, body {body[..Math.Min(body.Length, 200)]}");
            return;
        }
        var contentType = response.Content.Headers.ContentType?.ToString();
        if (!string.Equals(contentType?.Replace(" ", ""), e.ResponseHeader("Content-Type")?.Replace(" ", ""), StringComparison.OrdinalIgnoreCase))
        {
            Fail($"content type {contentType}");
        }
        var hasVersion = response.Headers.Contains("METADATA_SERVICE_VERSION");
        if (hasVersion != (e.ResponseHeader("METADATA_SERVICE_VERSION") is not null))
        {
            Fail($"version header present={hasVersion}");
        }
        var expected = RecordedWire.RawBody(e);
        var expectedNode = TryParse(expected);
        var actualNode = TryParse(body);
        if (expectedNode is null)
        {
            if (body != expected)
            {
                Fail($"text '{body}'");
            }
            return;
        }
        var shape = Shape(expectedNode);
        if (actualNode is null || Shape(actualNode) != shape)
        {
            Fail($"shape {(actualNode is null ? "text" : Shape(actualNode))} instead of {shape}");
        }
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Kind plus top-level keys; a JSON string holding JSON is described by what it holds.</summary>
    private static string Shape(JsonNode node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.Select(kv => kv.Key).Order()) + "}",
        JsonArray { Count: 0 } => "[]",
        JsonArray a => "[" + (a[0] is JsonObject first ? Shape(first) : a[0]!.GetValueKind().ToString()) + "…]",
        JsonValue v when v.TryGetValue<string>(out var s) && TryParse(s) is JsonObject inner => "\"" + Shape(inner) + "\"",
        JsonValue v => v.GetValueKind().ToString(),
        _ => "?",
    };
}
