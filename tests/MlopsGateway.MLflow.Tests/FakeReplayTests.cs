using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MlopsGateway.MLflow.Tests.Fake;

namespace MlopsGateway.MLflow.Tests;

/// <summary>
/// Keeps the fake honest (DESIGN.md §5.4): every recorded real request, replayed in order against a fresh
/// fake, gets the recorded status, error code and top-level JSON keys (text bodies: the same text). Setup
/// traffic the recorder sent but did not keep (bulk experiments, runs and models, a few tags) is re-created
/// first, as the recordings' README describes it.
/// </summary>
public sealed class FakeReplayTests
{
    private const string Main = "e7beb677700c4a478e60ed0d027f0b92";
    private const string Source = "mlflow-artifacts:/62/" + Main + "/artifacts/model";

    [SharedFact]
    public async Task Fake_answers_every_recorded_request_like_the_real_server()
    {
        await using var fake = await MLflowFake.StartAsync();
        fake.NextExperimentId = 62;
        using var http = new HttpClient { BaseAddress = fake.BaseUri };

        var mismatches = await ReplayAsync(fake, http, RecordedRoutes.All, GapsBefore, async id =>
        {
            if (id == "runs-search-page1")
            {
                await SeedRunSearchAsync(http, "89", "94daceddbfcd429b888446b3b4e259a5");
            }
            if (id == "art-list-tracking-root")
            {
                fake.PutArtifact("62/" + Main + "/artifacts/empty.txt", []);
            }
        });

        mismatches.Should().BeEmpty();
    }

    /// <summary>
    /// The same for the MLflow 3.11 recording against the fake speaking 3.x. Only traces and the OTLP ingest
    /// endpoint are not served by the fake (no gateway operation uses them), so their exchanges are not compared.
    /// </summary>
    [SharedFact]
    public async Task Fake_speaking_3_x_answers_every_recorded_3_11_request_like_the_real_server()
    {
        await using var fake = await MLflowFake.StartAsync();
        fake.Version = "3.11.2.dev0";
        fake.NextExperimentId = 48;
        using var http = new HttpClient { BaseAddress = fake.BaseUri };
        var notServed = RecordedRoutes.V3.Where(e => e.Path.Contains("/traces", StringComparison.Ordinal) && e.Id != "err-get-on-otlp").Select(e => e.Id).ToHashSet();
        notServed.Should().HaveCount(16);

        var mismatches = await ReplayAsync(fake, http, RecordedRoutes.V3.Where(e => !notServed.Contains(e.Id)).ToList(), V3GapsBefore, async id =>
        {
            if (id == "runs-search-page2")
            {
                await SeedRunSearchAsync(http, "62", "111cfed4efc640dfbe8f566e291233f3", "eddrcm");
            }
            if (id == "lm-artifacts-list")
            {
                fake.PutArtifact("48/models/m-3403e69df97443fb8d0e45cfa39677e1/artifacts/data/params.json", Encoding.UTF8.GetBytes("""{"alpha": 0.5, "l1": 0.1}  """));
            }
            if (id is "run-get" or "lm-create-page-0" or "lm-search-page1")
            {
                foreach (var pinned in id switch
                {
                    "run-get" => ["a0d90d4625794ee29de9da1ae638e8d3"],
                    "lm-create-page-0" => ["m-779e00a5ee814cc78a5f1eb20d170feb"],
                    _ => new[] { "m-5bc3577957c742b1b8e3a679f3262412", "m-684b7bac33584bc8878faa04f27753b5", "m-7462ba87fb914ecfa33c475834ef8e59", "m-4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a", "m-5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", "m-0afe20051b9a4e44b85bff998deafb5b" },
                })
                {
                    (pinned.StartsWith("m-", StringComparison.Ordinal) ? fake.PinnedLoggedModelIds : fake.PinnedRunIds).Enqueue(pinned);
                }
            }
        });

        mismatches.Should().BeEmpty();
    }

    /// <summary>Sends every exchange in order (after the setup it needs), comparing status, error code and top-level keys.</summary>
    private static async Task<List<string>> ReplayAsync(MLflowFake fake, HttpClient http, IReadOnlyList<RecordedExchange> exchanges,
        Func<string, IEnumerable<(string Method, string Path, JsonObject? Body)>> gaps, Func<string, Task> before)
    {
        var mismatches = new List<string>();
        foreach (var exchange in exchanges)
        {
            await before(exchange.Id);
            foreach (var (method, path, body) in gaps(exchange.Id))
            {
                using var setup = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'))
                {
                    Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                using var setupResponse = await http.SendAsync(setup);
                setupResponse.IsSuccessStatusCode.Should().BeTrue("setup {0} {1} before {2}: {3}", method, path, exchange.Id, await setupResponse.Content.ReadAsStringAsync());
            }
            if (exchange.Method == "POST" && exchange.Path.EndsWith("/runs/create", StringComparison.Ordinal) && exchange.Status == 200)
            {
                fake.PinnedRunIds.Enqueue(exchange.ResponseBody!["run"]!["info"]!["run_id"]!.GetValue<string>());
            }
            if (exchange.Method == "POST" && exchange.Path.EndsWith("/logged-models", StringComparison.Ordinal) && exchange.Status == 200)
            {
                fake.PinnedLoggedModelIds.Enqueue(exchange.ResponseBody!["model"]!["info"]!["model_id"]!.GetValue<string>());
            }

            using var request = BuildRequest(exchange);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var problem = Compare(exchange, (int)response.StatusCode, text);
            if (problem is not null)
            {
                mismatches.Add($"{exchange.Id}: {problem}");
            }
        }
        return mismatches;
    }

    private static HttpRequestMessage BuildRequest(RecordedExchange exchange)
    {
        var query = string.Join("&", exchange.Query.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var uri = exchange.Path.TrimStart('/') + (query.Length > 0 ? "?" + query : "");
        var request = new HttpRequestMessage(new HttpMethod(exchange.Method), uri);
        if (exchange.RequestBody is not null)
        {
            var raw = exchange.RequestBody is JsonValue v && v.TryGetValue<string>(out var s) ? s : exchange.RequestBody.ToJsonString();
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(raw));
            var type = exchange.RequestHeaders["Content-Type"]?.GetValue<string>();
            if (type is not null)
            {
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            }
            request.Content = content;
        }
        return request;
    }

    private static string? Compare(RecordedExchange exchange, int status, string text)
    {
        if (status != exchange.Status)
        {
            return $"status {status}, recorded {exchange.Status}: {Shorten(text)}";
        }
        if (exchange.ResponseBody is JsonObject recorded)
        {
            JsonObject? actual;
            try
            {
                actual = JsonNode.Parse(text) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                actual = null;
            }
            if (actual is null)
            {
                return $"not a JSON object: {Shorten(text)}";
            }
            var expectedKeys = string.Join(",", recorded.Select(p => p.Key).Order(StringComparer.Ordinal));
            var actualKeys = string.Join(",", actual.Select(p => p.Key).Order(StringComparer.Ordinal));
            if (expectedKeys != actualKeys)
            {
                return $"keys [{actualKeys}], recorded [{expectedKeys}]: {Shorten(text)}";
            }
            if (recorded["error_code"]?.GetValue<string>() is { } code && actual["error_code"]?.GetValue<string>() != code)
            {
                return $"error_code {actual["error_code"]}, recorded {code}";
            }
            return null;
        }
        if (exchange.Status == 200 && exchange.ResponseText != text)
        {
            return $"text '{Shorten(text)}', recorded '{Shorten(exchange.ResponseText)}'";
        }
        if (exchange.Status != 200 && exchange.ResponseText.StartsWith("<!doctype html>", StringComparison.Ordinal) && !text.StartsWith("<!doctype html>", StringComparison.Ordinal))
        {
            return $"expected an HTML page, got '{Shorten(text)}'";
        }
        return null;
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    /// <summary>Setup traffic the recorder sent but did not record, re-created before the case that needs it.</summary>
    private static IEnumerable<(string Method, string Path, JsonObject? Body)> GapsBefore(string id)
    {
        const string api = "api/2.0/mlflow/";
        switch (id)
        {
            case "exp-search-page2":
                for (var i = 2; i < 25; i++)
                {
                    yield return ("POST", api + "experiments/create", new JsonObject
                    {
                        ["name"] = $"e8qn7u-page-{i:00}",
                        ["tags"] = new JsonArray(new JsonObject { ["key"] = "batch", ["value"] = "e8qn7u" }),
                    });
                }
                break;
            case "search-setup-create-00":
                yield return ("POST", api + "experiments/create", new JsonObject { ["name"] = "e8qn7u-runsearch" });
                break;
            case "rm-search-page1":
                for (var i = 0; i < 12; i++)
                {
                    yield return ("POST", api + "registered-models/create", new JsonObject { ["name"] = $"e8qn7u-rmpage-{i:00}" });
                }
                break;
            case "rm-delete-tag":
                yield return ("POST", api + "registered-models/set-tag", new JsonObject { ["name"] = "e8qn7u-model", ["key"] = "tier", ["value"] = "gold" });
                break;
            case "mv-create-2":
                yield return ("POST", api + "model-versions/create", new JsonObject
                {
                    ["name"] = "e8qn7u-model",
                    ["source"] = Source,
                    ["run_id"] = Main,
                    ["description"] = "first",
                });
                break;
            case "mv-delete-tag":
                yield return ("POST", api + "model-versions/set-tag", new JsonObject { ["name"] = "e8qn7u-model", ["version"] = "1", ["key"] = "validated", ["value"] = "false" });
                yield return ("POST", api + "model-versions/set-tag", new JsonObject { ["name"] = "e8qn7u-model", ["version"] = "2", ["key"] = "validated", ["value"] = "true" });
                break;
            case "rm-get-old-name":
                yield return ("POST", api + "registered-models/rename", new JsonObject { ["name"] = "e8qn7u-model", ["new_name"] = "e8qn7u-model-renamed" });
                break;
        }
    }

    /// <summary>Setup traffic of the 3.11 session that was sent but not recorded (README: bulk setup, a rename, a tag delete, an alias).</summary>
    private static IEnumerable<(string Method, string Path, JsonObject? Body)> V3GapsBefore(string id)
    {
        const string api = "api/2.0/mlflow/";
        static JsonArray Tag(string key, string value) => new(new JsonObject { ["key"] = key, ["value"] = value });
        switch (id)
        {
            case "exp-create-page-00":
                yield return ("POST", api + "experiments/create", new JsonObject { ["name"] = "eddrcm-exp-s3-renamed", ["artifact_location"] = "s3://eddrcm-bucket/mlflow/exp" });
                break;
            case "exp-search-page1":
                for (var i = 1; i < 12; i++)
                {
                    yield return ("POST", api + "experiments/create", new JsonObject { ["name"] = $"eddrcm-page-{i:00}", ["tags"] = Tag("batch", "eddrcm") });
                }
                break;
            case "run-get":
                yield return ("POST", api + "runs/create", new JsonObject
                {
                    ["experiment_id"] = "48", ["run_name"] = "eddrcm-run-main", ["user_id"] = "dotnet-recorder", ["start_time"] = 1796529990214, ["tags"] = Tag("team", "dotnet"),
                });
                break;
            case "run-delete-tag-missing":
                yield return ("POST", api + "runs/delete-tag", new JsonObject { ["run_id"] = "a0d90d4625794ee29de9da1ae638e8d3", ["key"] = "temp" });
                break;
            case "search-setup-create-00":
                yield return ("POST", api + "experiments/create", new JsonObject { ["name"] = "eddrcm-runsearch" });
                break;
            case "lm-create-page-0":
                yield return ("POST", api + "logged-models", new JsonObject { ["experiment_id"] = "48" });
                yield return ("POST", api + "experiments/create", new JsonObject { ["name"] = "eddrcm-lm-search" });
                break;
            case "lm-search-page1":
                for (var i = 1; i < 7; i++)
                {
                    yield return ("POST", api + "logged-models", new JsonObject
                    {
                        ["experiment_id"] = "63", ["name"] = $"eddrcm-lm-{i}", ["model_type"] = "demo",
                        ["tags"] = Tag("idx", i.ToString(CultureInfo.InvariantCulture)), ["params"] = Tag("size", (i * 10).ToString(CultureInfo.InvariantCulture)),
                    });
                }
                break;
            case "rm-create-duplicate":
                yield return ("POST", api + "registered-models/create", new JsonObject { ["name"] = "eddrcm-rm-main" });
                break;
            case "rm-search-page1":
                for (var i = 1; i < 12; i++)
                {
                    yield return ("POST", api + "registered-models/create", new JsonObject { ["name"] = $"eddrcm-rm-page-{i:00}" });
                }
                break;
            case "alias-get":
                yield return ("POST", api + "registered-models/alias", new JsonObject { ["name"] = "eddrcm-rm-main", ["alias"] = "champion", ["version"] = "2" });
                break;
        }
    }

    internal static async Task SeedRunSearchAsync(HttpClient http, string experimentId, string firstRunId, string session = "e8qn7u")
    {
        const string api = "api/2.0/mlflow/";
        string[] statuses = ["FINISHED", "FINISHED", "FAILED", "RUNNING", "KILLED"];
        for (var i = 0; i < 25; i++)
        {
            var start = 1795323806087L + (i * 1000L);
            string runId;
            if (i == 0)
            {
                runId = firstRunId;
            }
            else
            {
                var created = await PostAsync(http, api + "runs/create", new JsonObject
                {
                    ["experiment_id"] = experimentId,
                    ["run_name"] = $"{session}-r{i:00}",
                    ["start_time"] = start,
                    ["tags"] = new JsonArray(new JsonObject { ["key"] = "team", ["value"] = i % 2 == 0 ? "nlp" : "vision" }),
                });
                runId = created["run"]!["info"]!["run_id"]!.GetValue<string>();
                await PostAsync(http, api + "runs/log-batch", new JsonObject
                {
                    ["run_id"] = runId,
                    ["metrics"] = new JsonArray(
                        new JsonObject { ["key"] = "acc", ["value"] = 0.5 + (0.02 * i), ["timestamp"] = start, ["step"] = 0 },
                        new JsonObject { ["key"] = "loss", ["value"] = 1.0 - (0.03 * i), ["timestamp"] = start, ["step"] = 0 }),
                    ["params"] = new JsonArray(
                        new JsonObject { ["key"] = "optimizer", ["value"] = i % 3 == 0 ? "sgd" : "adam" },
                        new JsonObject { ["key"] = "idx", ["value"] = i.ToString("00", CultureInfo.InvariantCulture) }),
                });
            }
            var status = statuses[i % 5];
            if (status != "RUNNING")
            {
                await PostAsync(http, api + "runs/update", new JsonObject { ["run_id"] = runId, ["status"] = status, ["end_time"] = start + 500 });
            }
        }
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return JsonNode.Parse(text)!;
    }
}
