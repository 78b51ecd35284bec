using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;
using static MlopsGateway.Tests.Hostile.HostileValues;

namespace MlopsGateway.Tests.Hostile;

/// <summary>
/// Issue 11 item 4: an id or name with '/', '..', '%2F', '?', '#', '+', ':', spaces, non-ASCII or 10 KB, given to any
/// operation that puts it into a request path or query, either reaches exactly the intended endpoint (the value
/// percent-encoded once, in its segment or query key, and nowhere else in any URL) or is refused with
/// <see cref="MlopsValidationException"/> naming backend and operation before anything is sent. Which values are
/// refused is decided per value kind (<see cref="HostileValues.Refused"/>); the test asserts that decision exactly.
/// </summary>
public sealed class HostileIdTests(HostileIdTests.Gateway gateway) : IClassFixture<HostileIdTests.Gateway>
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var op in HostileIdOperations.All)
        {
            foreach (var value in All.Keys)
            {
                data.Add(op.Backend, op.Label, value);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_hostile_value_reaches_exactly_its_endpoint_or_is_refused_before_sending(string backendName, string label, string valueName)
    {
        var op = HostileIdOperations.All.Single(o => o.Backend == backendName && o.Label == label);
        var value = All[valueName];
        var backend = gateway.Backend(backendName);
        gateway.Server.ClearRequests();

        var thrown = await Record.ExceptionAsync(() => op.Call(backend, value).WaitAsync(TimeSpan.FromSeconds(30)));

        if (Refused(op.Kind, value))
        {
            var refusal = thrown.Should().BeOfType<MlopsValidationException>($"{op.Operation} must refuse {valueName} before sending").Subject;
            refusal.Backend.Should().Be(backendName);
            refusal.Operation.Should().Be(op.Operation);
            refusal.Message.Length.Should().BeLessThan(500, "the message says what is wrong without echoing a huge value");
            gateway.Server.Requests.Select(r => $"{r.Method} {r.RawPath}").Should().BeSubsetOf(op.Before, "nothing that depends on a refused value is sent");
            return;
        }

        thrown.Should().Match<Exception?>(e => e == null || e is MlopsException, $"the server's answer is mapped (got {thrown?.GetType().Name}: {thrown?.Message})");
        var requests = gateway.Server.Requests;
        var (method, path, key, contains) = Parse(op.Target, Encoded(op.Kind, value));
        requests.Should().Contain(r => Matches(r, method, path, key, contains, value),
            $"{op.Operation} must send {op.Target} with the value encoded once; sent:\n{string.Join("\n", requests.Select(r => $"{r.Method} {Shorten(r.RawTarget)}"))}");
        requests.Where(r => !Matches(r, method, path, key, contains, value)).Should()
            .NotContain(r => r.RawTarget.Contains(Encoded(Kind.Query, value), StringComparison.Ordinal) || (value.Length > 1 && r.RawTarget.Contains(value, StringComparison.Ordinal)),
                "the value lands in no other URL");
    }

    /// <summary>Splits "METHOD /path?key={v}" into the expected method, raw path and query pair (or decoded-contains check).</summary>
    private static (string Method, string Path, string? Key, string? Contains) Parse(string target, string encoded)
    {
        var (method, rest) = (target[..target.IndexOf(' ', StringComparison.Ordinal)], target[(target.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return (method, rest.Replace("{v}", encoded, StringComparison.Ordinal), null, null);
        }
        var path = rest[..question];
        var pair = rest[(question + 1)..];
        var tilde = pair.IndexOf("~{v}", StringComparison.Ordinal);
        return tilde >= 0 ? (method, path, pair[..tilde], "") : (method, path, pair.Replace("{v}", encoded, StringComparison.Ordinal), null);
    }

    private static bool Matches(RecordedRequest r, string method, string path, string? key, string? contains, string value)
    {
        if (r.Method != method || r.RawPath != path)
        {
            return false;
        }
        if (key is null)
        {
            return true;
        }
        var rawQuery = r.RawTarget.Contains('?', StringComparison.Ordinal) ? r.RawTarget[(r.RawTarget.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";
        if (contains is null)
        {
            return rawQuery.Split('&').Contains(key);
        }
        return r.QueryPairs.Any(p => p.Key == key && Carries(p.Value, value));
    }

    /// <summary>A decoded filter carries the value literally, or as a JSON string inside it (KFP filters are JSON).</summary>
    private static bool Carries(string filter, string value)
    {
        if (filter.Contains(value, StringComparison.Ordinal))
        {
            return true;
        }
        try
        {
            return JsonNode.Parse(filter)?.ToJsonString().Length > 0 && Strings(JsonNode.Parse(filter)).Contains(value);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        _ => [],
    };

    private static string Shorten(string target) => target.Length <= 200 ? target : target[..200] + "…";

    /// <summary>One fake server answering every backend; the few lookups an operation makes before the one under test succeed.</summary>
    public sealed class Gateway : IDisposable
    {
        private static readonly string[] s_backends = ["MLflow", "AirflowV1", "AirflowV2", "Kubeflow", "Metaflow"];
        private readonly ServiceProvider _services;

        public Gateway()
        {
            Server = FakeServer.Start();
            Server.Route("GET", "/api/2.0/mlflow/runs/get", r => r.Query("run_id") == "r0"
                    ? FakeResponse.Json(200, new JsonObject
                    {
                        ["run"] = new JsonObject
                        {
                            ["info"] = new JsonObject { ["run_id"] = "r0", ["experiment_id"] = "1", ["status"] = "RUNNING", ["lifecycle_stage"] = "active", ["artifact_uri"] = "mlflow-artifacts:/1/r0/artifacts" },
                            ["data"] = new JsonObject(),
                        },
                    })
                    : NotFound())
                .Route("GET", "/api/2.0/mlflow/model-versions/get-download-uri", r => r.Query("name") == "m" && r.Query("version") == "1"
                    ? FakeResponse.Json(200, new JsonObject { ["artifact_uri"] = "mlflow-artifacts:/1/r0/artifacts/model" })
                    : NotFound())
                .Route("GET", "/version", _ => FakeResponse.Text(200, "3.1.0"))
                .Route("GET", "/ping", _ => FakeResponse.Text(200, "pong").WithHeader("METADATA_SERVICE_VERSION", "2.5.1"))
                .Route("GET", "/api/model_registry/v1alpha3/registered_model", r => r.Query("name") == "m"
                    ? FakeResponse.Json(200, new JsonObject { ["id"] = "7", ["name"] = "m", ["state"] = "LIVE" })
                    : NotFound())
                .Fallback(_ => NotFound());
            var services = new ServiceCollection().AddLogging();
            services.AddMlopsGateway(o =>
            {
                o.DefaultBackend = "MLflow";
                foreach (var name in s_backends)
                {
                    var options = new BackendOptions { Type = name.StartsWith("Airflow", StringComparison.Ordinal) ? "Airflow" : name, BaseUrl = Server.BaseUri.ToString() };
                    options.Resilience.MaxRetryAttempts = 0;
                    options.Resilience.CircuitFailureRatio = 0;
                    switch (name)
                    {
                        case "AirflowV1":
                            options.Settings["ApiVersion"] = "v1";
                            break;
                        case "AirflowV2":
                            options.Settings["ApiVersion"] = "v2";
                            break;
                        case "Kubeflow":
                            options.Endpoints["ModelRegistry"] = new EndpointOptions { BaseUrl = Server.BaseUri.ToString() };
                            options.Settings["Namespace"] = "team-a";
                            break;
                    }
                    o.Backends[name] = options;
                }
            }).AddMLflow().AddAirflow().AddKubeflow().AddMetaflow();
            _services = services.BuildServiceProvider();
        }

        public FakeServer Server { get; }

        public IMlopsBackend Backend(string name) => _services.GetRequiredService<IMlopsBackendProvider>().Get(name);

        private static FakeResponse NotFound() => FakeResponse.Json(404, new JsonObject { ["error_code"] = "RESOURCE_DOES_NOT_EXIST", ["message"] = "no such object", ["code"] = 5 });

        public void Dispose()
        {
            _services.Dispose();
            Server.Dispose();
        }
    }
}
