using System.Text.Json.Nodes;
using MlopsGateway.Airflow.Tests.Fake;

namespace MlopsGateway.Cli.Tests;

/// <summary>Backend entries for the adapters' in-process fakes (only their base addresses are used).</summary>
internal static class Servers
{
    public static JsonObject MLflow(Uri baseUri) => new()
    {
        ["Type"] = "MLflow",
        ["BaseUrl"] = baseUri.ToString(),
        ["Resilience"] = new JsonObject { ["MaxRetryAttempts"] = 0 },
    };

    /// <summary>An Airflow 2 (<c>/api/v1</c>) backend with the fake's basic credentials.</summary>
    public static JsonObject Airflow(AirflowFake fake, string password = "admin") => new()
    {
        ["Type"] = "Airflow",
        ["BaseUrl"] = fake.BaseUri.ToString(),
        ["ApiVersion"] = "v1",
        ["Auth"] = new JsonObject { ["Type"] = "Basic", ["Username"] = "admin", ["Password"] = password },
        ["Resilience"] = new JsonObject { ["MaxRetryAttempts"] = 0 },
    };
}
