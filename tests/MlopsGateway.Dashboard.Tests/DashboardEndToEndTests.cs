using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlopsGateway.MLflow.Tests.Fake;

namespace MlopsGateway.Dashboard.Tests;

/// <summary>
/// The samples, run as a user runs them with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, show up in a real Aspire
/// dashboard: read back through its HTTP API, each tracked run is one trace under its <c>Runs.Run</c> span, every
/// HTTP client span sits under an operation span, and the gateway's metrics arrived.
/// </summary>
public sealed partial class DashboardEndToEndTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(20);
    private static readonly string[] RunLifetimeOperations = ["Runs.Start", "Runs.Flush", "Runs.UploadArtifact", "Runs.End"];

    [DashboardFact]
    public async Task The_Quickstart_training_run_is_one_trace_and_its_metrics_arrive()
    {
        var dashboard = fixture.Dashboard;
        var work = Directory.CreateTempSubdirectory("mlops-dashboard-quickstart-");
        try
        {
            var printed = await SampleProgram.RunAsync("Quickstart", work.FullName, Otlp(dashboard), SampleTimeout);
            var runId = TrainingRunId().Match(printed).Groups["id"].Value;
            runId.Should().NotBeEmpty(printed);

            var spans = await ArrivedAsync(dashboard, "mlops-quickstart", s => s.Any(x => x.Name == "Runs.End" && x["mlops.run.id"] == runId));

            var run = spans.Should().ContainSingle(s => s.Name == "Runs.Run" && s["mlops.run.id"] == runId).Which;
            run.ParentSpanId.Should().BeNull("the training run is the root of its own trace");
            run["mlops.backend.kind"].Should().Be("Local");
            run["mlops.experiment.name"].Should().Be("quickstart");
            run["mlops.run.status"].Should().Be("Succeeded");
            var inRun = spans.Where(s => s.ParentSpanId == run.SpanId).ToList();
            inRun.Select(s => s.Name).Should().Contain(RunLifetimeOperations);
            inRun.Should().OnlyContain(s => s["mlops.run.id"] == runId && s["mlops.backend.name"] == "local" && s.Kind == OtlpSpan.Internal);
            spans.Where(s => s["mlops.run.id"] == runId && RunLifetimeOperations.Contains(s.Name))
                .Should().OnlyContain(s => s.TraceId == run.TraceId, "everything the run did is in its one trace");

            var trigger = spans.Should().ContainSingle(s => s.Name == "Pipelines.Trigger").Which;
            var wait = spans.Should().ContainSingle(s => s.Name == "Runs.WaitForCompletion").Which;
            wait.TraceId.Should().Be(trigger.TraceId, "trigger-and-wait is one trace");
            wait.Events.Should().NotBeEmpty().And.OnlyContain(e => e.Name == "mlops.run.progress");
            wait.Events[^1].Attributes["mlops.run.status"].Should().Be("Succeeded");

            spans.Where(s => s.Scope == "MlopsGateway" && s.ParentSpanId is null).Select(s => s.Name)
                .Should().Equal(["Runs.Run"], "no gateway operation is a lonely one-span trace: the rest run inside the Quickstart's steps");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [DashboardFact]
    public async Task The_MLflow_sample_against_a_fake_server_shows_HTTP_calls_under_operation_spans()
    {
        var dashboard = fixture.Dashboard;
        await using var mlflow = await MLflowFake.StartAsync();
        var environment = new Dictionary<string, string>(Otlp(dashboard)) { ["MLFLOW_TRACKING_URI"] = mlflow.BaseUri.ToString() };

        var printed = await SampleProgram.RunAsync("MLflow", SampleProgram.Directory("MLflow"), environment, SampleTimeout);
        var runId = MlflowRunId().Match(printed).Groups["id"].Value;
        runId.Should().NotBeEmpty(printed);

        var spans = await ArrivedAsync(dashboard, "mlopsgateway-sample-mlflow", s => s.Any(x => x.Name == "Runs.End" && x["mlops.run.id"] == runId));

        var run = spans.Should().ContainSingle(s => s.Name == "Runs.Run" && s["mlops.run.id"] == runId).Which;
        run.ParentSpanId.Should().BeNull();
        run["mlops.run.status"].Should().Be("Succeeded");
        spans.Where(s => s.ParentSpanId == run.SpanId).Select(s => s.Name).Should().Contain(RunLifetimeOperations);
        spans.Where(s => s["mlops.run.id"] == runId && RunLifetimeOperations.Contains(s.Name))
            .Should().OnlyContain(s => s.TraceId == run.TraceId, "one trace per run");

        var operations = spans.Where(s => s.Scope == "MlopsGateway").ToList();
        operations.Should().OnlyContain(s => s["mlops.backend.kind"] == "MLflow" && s["server.address"] == "127.0.0.1"
            && s["server.port"] == mlflow.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var operationIds = operations.Where(s => s.Name != "Runs.Run").Select(s => s.SpanId).ToHashSet();
        var http = spans.Where(s => s.Scope == "System.Net.Http").ToList();
        http.Should().NotBeEmpty().And.OnlyContain(s => s.Kind == OtlpSpan.Client);
        http.Should().OnlyContain(s => s.ParentSpanId != null && operationIds.Contains(s.ParentSpanId), "every HTTP call belongs to an operation span");
        foreach (var name in new[] { "Runs.Start", "Runs.Flush", "Runs.UploadArtifact", "Runs.End", "Models.CreateVersion", "Models.SetAlias" })
        {
            var ids = operations.Where(s => s.Name == name).Select(s => s.SpanId).ToHashSet();
            http.Should().Contain(s => ids.Contains(s.ParentSpanId!), $"{name} sent its requests beneath itself");
        }
    }

    private static Dictionary<string, string> Otlp(AspireDashboard dashboard) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.OtlpEndpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
    };

    /// <summary>Waits until the sample's resource reports traces and metrics and its spans hold what <paramref name="complete"/> wants.</summary>
    private static async Task<IReadOnlyList<OtlpSpan>> ArrivedAsync(AspireDashboard dashboard, string service, Func<IReadOnlyList<OtlpSpan>, bool> complete)
    {
        await AspireDashboard.PollAsync(
            () => dashboard.GetJsonAsync("api/telemetry/resources"),
            resources => resources.AsArray().Any(r => r?["name"]?.GetValue<string>() == service
                && r["hasTraces"]?.GetValue<bool>() == true && r["hasMetrics"]?.GetValue<bool>() == true),
            ArrivalTimeout, $"{service} reports traces and metrics to the dashboard");
        return await AspireDashboard.PollAsync(
            async () => OtlpSpan.Parse(await dashboard.GetJsonAsync($"api/telemetry/traces?resource={service}&limit=1000")),
            complete, ArrivalTimeout, $"{service}'s spans arrive");
    }

    [GeneratedRegex(@"Training run\s+(?<id>\S+)")]
    private static partial Regex TrainingRunId();

    [GeneratedRegex(@"run (?<id>\S+) ended Succeeded")]
    private static partial Regex MlflowRunId();
}
