using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Airflow;
using MlopsGateway.Kubeflow;
using MlopsGateway.Metaflow;
using MlopsGateway.MLflow;
using MlopsGateway.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OtelMetricPoint = OpenTelemetry.Metrics.MetricPoint;

namespace MlopsGateway.Tests.Telemetry;

/// <summary>
/// The backend-specific services — reached the one documented way, <c>backend.GetService&lt;T&gt;()</c> — get
/// operation spans and duration metrics like the neutral sub-clients: <c>{Service}.{Method}</c>, the backend's
/// attributes, the server they talk to, HTTP client spans beneath.
/// </summary>
public sealed class ServiceTelemetryTests
{
    [Fact]
    public async Task Every_backend_specific_service_operation_is_a_span_with_the_HTTP_call_beneath_and_a_duration()
    {
        using var spans = new ExportedSpans();
        var metrics = new List<Metric>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMlopsGatewayInstrumentation().AddInMemoryExporter(metrics).Build()!;
        await using var server = FakeServer.Start().Route("*", "/{**path}", _ => FakeResponse.JsonText(200, "{}"));
        await using var registry = FakeServer.Start().Route("*", "/{**path}", _ => FakeResponse.JsonText(200, """{"id":"7","name":"m"}"""));
        var services = new ServiceCollection();
        services.AddMlopsGateway(o =>
        {
            var url = server.BaseUri.ToString();
            o.DefaultBackend = "svc-mlflow";
            o.Backends["svc-mlflow"] = new BackendOptions { Type = "MLflow", BaseUrl = url };
            var kubeflow = new BackendOptions { Type = "Kubeflow", BaseUrl = url };
            kubeflow.Endpoints["ModelRegistry"] = new EndpointOptions { BaseUrl = registry.BaseUri.ToString() };
            o.Backends["svc-kubeflow"] = kubeflow;
            var airflow = new BackendOptions { Type = "Airflow", BaseUrl = url };
            airflow.Settings["ApiVersion"] = "v1";
            o.Backends["svc-airflow"] = airflow;
            o.Backends["svc-metaflow"] = new BackendOptions { Type = "Metaflow", BaseUrl = url };
        }).AddMLflow().AddKubeflow().AddAirflow().AddMetaflow();
        await using var sp = services.BuildServiceProvider();
        var provider = sp.GetRequiredService<IMlopsBackendProvider>();
        var calls = new (string Span, string Backend, Func<Task> Call)[]
        {
            ("Tracking.RenameExperiment", "svc-mlflow", () => provider.Get("svc-mlflow").GetRequiredService<MLflowTrackingClient>().RenameExperimentAsync("1", "renamed")),
            ("Schedules.Enable", "svc-kubeflow", () => provider.Get("svc-kubeflow").GetRequiredService<KubeflowSchedules>().EnableAsync("s1")),
            ("Archive.ArchiveRun", "svc-kubeflow", () => provider.Get("svc-kubeflow").GetRequiredService<KubeflowArchive>().ArchiveRunAsync("r1")),
            ("NodeArtifacts.Read", "svc-kubeflow", () => provider.Get("svc-kubeflow").GetRequiredService<KubeflowNodeArtifacts>().ReadAsync("r1", "node", "metrics")),
            ("ModelArtifacts.Get", "svc-kubeflow", () => provider.Get("svc-kubeflow").GetRequiredService<KubeflowModelArtifacts>().GetAsync("7")),
            ("TaskTries.List", "svc-airflow", () => provider.Get("svc-airflow").GetRequiredService<AirflowTaskTries>().ListAsync("dag/run-1", "train")),
            ("Metadata.HeartbeatRun", "svc-metaflow", () => provider.Get("svc-metaflow").GetRequiredService<MetaflowMetadataClient>().HeartbeatRunAsync("TrainFlow/1")),
        };

        foreach (var (name, backend, call) in calls)
        {
            using var root = ExportedSpans.StartTestRoot(name);
            try
            {
                await call();
            }
            catch (MlopsException ex)
            {
                // The empty answer may not satisfy every service; the failure is still the operation's.
                ex.Operation.Should().Be(name);
                ex.Backend.Should().Be(backend);
            }
            var trace = spans.InTrace(root.TraceId);
            var span = trace.Should().ContainSingle(a => a.Source.Name == "MlopsGateway", name).Which;
            span.DisplayName.Should().Be(name);
            span.Kind.Should().Be(ActivityKind.Internal);
            span.GetTagItem("mlops.backend.name").Should().Be(backend);
            span.GetTagItem("mlops.operation").Should().Be(name);
            var port = name.StartsWith("ModelArtifacts.", StringComparison.Ordinal) ? registry.BaseUri.Port : server.BaseUri.Port;
            span.GetTagItem("server.port").Should().Be(port, $"{name} talks to that server");
            trace.Where(a => a.Source.Name == "System.Net.Http").Should().NotBeEmpty(name).And.OnlyContain(a => a.ParentSpanId == span.SpanId, name);
            if (name == "Archive.ArchiveRun")
            {
                // Read from this test's trace: other tests in the assembly archive runs at the same time.
                span.GetTagItem("mlops.run.id").Should().Be("r1");
            }
        }

        meters.ForceFlush();
        var measured = metrics.Where(m => m.Name == "mlops.client.operation.duration")
            .SelectMany(m => EnumeratePoints(m))
            .Select(p => Tag(p, "mlops.operation"))
            .ToHashSet();
        measured.Should().Contain(calls.Select(c => c.Span));
    }

    [Fact]
    public async Task A_service_operation_used_inside_another_operation_of_its_backend_joins_it()
    {
        using var spans = new ExportedSpans();
        var operations = new MlopsOperations(new BackendContext("joined"), "Test");
        using var root = ExportedSpans.StartTestRoot();

        var failure = await FluentActions.Awaiting(() => operations.RunAsync("Runs.End", () =>
                operations.RunAsync("Metadata.AddMetadata", () => Task.FromException(new MlopsValidationException("row refused")))))
            .Should().ThrowAsync<MlopsValidationException>();

        spans.InTrace(root.TraceId).Select(a => a.DisplayName).Should().Equal("Runs.End");
        failure.Which.Operation.Should().Be("Runs.End", "the caller called Runs.End; the service was its implementation detail");
        failure.Which.Backend.Should().Be("joined");
    }

    private static IEnumerable<OtelMetricPoint> EnumeratePoints(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            yield return point;
        }
    }

    private static object? Tag(OtelMetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }
        return null;
    }
}
