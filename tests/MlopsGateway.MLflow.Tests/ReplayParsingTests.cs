using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlopsGateway.MLflow.Api;

namespace MlopsGateway.MLflow.Tests;

/// <summary>
/// Every recorded real success body of MLflow 2.17.2 and 3.11 parses into the adapter's wire types with no field
/// lost, writes back to the same JSON, and maps to the domain model with <c>Native</c> equal to the object as sent.
/// </summary>
public sealed class ReplayParsingTests
{
    [SharedTheory]
    [MemberData(nameof(RecordedRoutes.Ids), MemberType = typeof(RecordedRoutes))]
    public void Recorded_success_parses_without_losing_a_field(string file, string id)
    {
        var exchange = RecordedRoutes.Get(file, id);
        if (exchange.Status is < 200 or >= 300)
        {
            return; // errors: ErrorMappingTests (2.17.2) and OperationReplayTests (3.11)
        }
        if (RecordedRoutes.NotReadByAdapter(exchange.Method, exchange.Path) is { } reason)
        {
            reason.Should().NotBeEmpty();
            return;
        }
        var type = RecordedRoutes.ResponseType(exchange.Method, exchange.Path);
        if (type is null)
        {
            exchange.ResponseBody.Should().BeAssignableTo<JsonValue>("{0} is a text or file body", id);
            return;
        }

        var text = exchange.ResponseText;
        var dto = JsonSerializer.Deserialize(text, type);
        dto.Should().NotBeNull();
        AssertNoExtra(dto!, "$");

        // Writing it back gives the same JSON: every field was read into a typed member.
        var roundTrip = JsonNode.Parse(JsonSerializer.Serialize(dto, type));
        JsonNode.DeepEquals(roundTrip, exchange.ResponseBody).Should().BeTrue(
            "{0} must round-trip; got {1}", id, roundTrip?.ToJsonString());

        MapToDomain(dto!, exchange.ResponseBody!);
    }

    [SharedFact]
    public void Stored_infinities_read_back_as_infinities_and_NaN_as_NaN()
    {
        var history = JsonSerializer.Deserialize(RecordedRoutes.Get("metric-history-nonfinite").ResponseText, MLflowJsonContext.Default.MetricHistoryResponse)!;
        var values = history.Metrics!.Select(MLflowMapper.ToMetricPoint).Select(p => p.Value).ToList();
        values.Should().HaveCount(3);
        double.IsNaN(values[0]).Should().BeTrue();
        values[1].Should().Be(double.PositiveInfinity);
        values[2].Should().Be(double.NegativeInfinity);

        var big = JsonSerializer.Deserialize(RecordedRoutes.Get("metric-history-bigstep").ResponseText, MLflowJsonContext.Default.MetricHistoryResponse)!;
        var point = MLflowMapper.ToMetricPoint(big.Metrics!.Single());
        point.Step.Should().Be(long.MaxValue);
        point.Value.Should().Be(1e300);
    }

    [SharedFact]
    public void Run_maps_status_params_latest_metrics_and_tags()
    {
        var response = JsonSerializer.Deserialize(RecordedRoutes.Get("run-get-final").ResponseText, MLflowJsonContext.Default.RunResponse)!;
        var run = MLflowMapper.ToRun("ml", response.Run!);
        run.Id.Should().Be("e7beb677700c4a478e60ed0d027f0b92");
        run.Backend.Should().Be("ml");
        run.Status.Should().Be(RunStatus.Succeeded);
        run.RawStatus.Should().Be("FINISHED");
        run.ExperimentId.Should().Be("62");
        run.Name.Should().Be("e8qn7u-main-run");
        run.EndTime.Should().NotBeNull();
        run.Params["novalue"].Should().Be("");
        run.Metrics["flag"].Should().Be(1.0);
        run.Tags.Should().ContainKey("mlflow.runName");
        run.ArtifactLocation.Should().Be("mlflow-artifacts:/62/e7beb677700c4a478e60ed0d027f0b92/artifacts");
        run.Native!.Value.GetProperty("info").GetProperty("user_id").GetString().Should().Be("alice");
    }

    [SharedFact]
    public void Minimal_run_without_start_time_has_no_start_time()
    {
        var response = JsonSerializer.Deserialize(RecordedRoutes.Get("run-create-minimal").ResponseText, MLflowJsonContext.Default.RunResponse)!;
        var run = MLflowMapper.ToRun("ml", response.Run!);
        run.StartTime.Should().BeNull("MLflow stores 0 when no start_time was sent");
        run.Status.Should().Be(RunStatus.Running);
        run.Metrics.Should().BeEmpty();
        run.Params.Should().BeEmpty();
    }

    [Theory]
    [InlineData("RUNNING", RunStatus.Running)]
    [InlineData("SCHEDULED", RunStatus.Queued)]
    [InlineData("FINISHED", RunStatus.Succeeded)]
    [InlineData("FAILED", RunStatus.Failed)]
    [InlineData("KILLED", RunStatus.Canceled)]
    [InlineData("BOGUS", RunStatus.Unknown)]
    [InlineData(null, RunStatus.Unknown)]
    public void Status_maps_both_ways(string? wire, RunStatus status)
    {
        MLflowMapper.ToStatus(wire).Should().Be(status);
        if (status != RunStatus.Unknown)
        {
            MLflowMapper.FromStatus(status).Should().Be(wire);
        }
    }

    [Fact]
    public void Non_finite_values_are_written_as_the_strings_the_server_accepts()
    {
        var request = new LogBatchRequest
        {
            RunId = "r",
            Metrics =
            [
                new LoggedMetricDto { Key = "a", Value = double.NaN, Timestamp = 1, Step = 0 },
                new LoggedMetricDto { Key = "a", Value = double.PositiveInfinity, Timestamp = 1, Step = 1 },
                new LoggedMetricDto { Key = "a", Value = double.NegativeInfinity, Timestamp = 1, Step = 2 },
            ],
        };
        var json = JsonSerializer.Serialize(request, MLflowJsonContext.Default.LogBatchRequest);
        json.Should().Be("""{"run_id":"r","metrics":[{"key":"a","value":"NaN","timestamp":1,"step":0},{"key":"a","value":"Infinity","timestamp":1,"step":1},{"key":"a","value":"-Infinity","timestamp":1,"step":2}]}""");
    }

    [SharedFact]
    public void Registry_objects_map_aliases_stages_and_string_versions()
    {
        var model = JsonSerializer.Deserialize(RecordedRoutes.Get("alias-get-after-rename").ResponseText, MLflowJsonContext.Default.ModelVersionResponse)!;
        var version = MLflowMapper.ToVersion("ml", model.ModelVersion!);
        version.Version.Should().Be("2");
        version.ModelName.Should().Be("e8qn7u-model-renamed");
        version.Stage.Should().Be("Production");
        version.Aliases.Should().Contain("champion");
        version.Status.Should().Be("READY");
    }

    private static void MapToDomain(object dto, JsonNode recorded)
    {
        switch (dto)
        {
            case RunResponse { Run: { } run }:
                AssertNative(MLflowMapper.ToRun("ml", run).Native, recorded["run"]);
                break;
            case SearchRunsResponse { Runs: { } runs }:
                runs.Select(r => MLflowMapper.ToRun("ml", r)).Should().OnlyContain(r => r.Status != RunStatus.Unknown);
                AssertNatives(runs.Select(r => MLflowMapper.ToRun("ml", r).Native), recorded["runs"]);
                break;
            case ExperimentResponse { Experiment: { } experiment }:
                MLflowMapper.ToExperiment("ml", experiment).Id.Should().NotBeEmpty();
                AssertNative(MLflowMapper.ToExperiment("ml", experiment).Native, recorded["experiment"]);
                break;
            case SearchExperimentsResponse { Experiments: { } experiments }:
                experiments.Select(e => MLflowMapper.ToExperiment("ml", e)).Should().OnlyContain(e => e.Name.Length > 0);
                AssertNatives(experiments.Select(e => MLflowMapper.ToExperiment("ml", e).Native), recorded["experiments"]);
                break;
            case RegisteredModelResponse { RegisteredModel: { } model }:
                MLflowMapper.ToModel("ml", model).Name.Should().NotBeEmpty();
                AssertNative(MLflowMapper.ToModel("ml", model).Native, recorded["registered_model"]);
                break;
            case SearchRegisteredModelsResponse { RegisteredModels: { } models }:
                AssertNatives(models.Select(m => MLflowMapper.ToModel("ml", m).Native), recorded["registered_models"]);
                break;
            case ModelVersionResponse { ModelVersion: { } version }:
                MLflowMapper.ToVersion("ml", version).Version.Should().NotBeEmpty();
                AssertNative(MLflowMapper.ToVersion("ml", version).Native, recorded["model_version"]);
                break;
            case SearchModelVersionsResponse { ModelVersions: { } versions }:
                AssertNatives(versions.Select(v => MLflowMapper.ToVersion("ml", v).Native), recorded["model_versions"]);
                break;
            case LoggedModelResponse { Model: { } logged }:
                MLflowMapper.ToLoggedModel(logged).Id.Should().StartWith("m-");
                AssertNative(MLflowMapper.ToLoggedModel(logged).Native, recorded["model"]);
                break;
            case SearchLoggedModelsResponse { Models: { } logged }:
                AssertNatives(logged.Select(m => MLflowMapper.ToLoggedModel(m).Native), recorded["models"]);
                break;
            case MetricHistoryResponse { Metrics: { } metrics }:
                metrics.Select(MLflowMapper.ToMetricPoint).Should().OnlyContain(p => p.Key.Length > 0);
                break;
            case ListArtifactsResponse { Files: { } files }:
                files.Select(f => MLflowMapper.ToArtifact(f)).Should().OnlyContain(a => a.IsDirectory ? a.Size == null : a.Size >= 0);
                break;
        }
    }

    private static void AssertNatives(IEnumerable<JsonElement?> natives, JsonNode? recorded)
    {
        var list = natives.ToList();
        list.Should().HaveCount(recorded!.AsArray().Count);
        for (var i = 0; i < list.Count; i++)
        {
            AssertNative(list[i], recorded[i]);
        }
    }

    private static void AssertNative(JsonElement? native, JsonNode? recorded)
        => NativeJson.Differences(native, recorded).Should().BeEmpty("Native is the object exactly as MLflow sent it");

    private static void AssertNoExtra(object dto, string path)
    {
        if (dto is MLflowDto wire)
        {
            (wire.Extra ?? []).Keys.Should().BeEmpty("no field at {0} may be left unmodelled", path);
        }
        foreach (var property in dto.GetType().GetProperties())
        {
            if (property.Name == nameof(MLflowDto.Extra) || property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            var value = property.GetValue(dto);
            if (value is MLflowDto child)
            {
                AssertNoExtra(child, $"{path}.{property.Name}");
            }
            else if (value is IEnumerable items and not string)
            {
                var i = 0;
                foreach (var item in items)
                {
                    if (item is MLflowDto element)
                    {
                        AssertNoExtra(element, $"{path}.{property.Name}[{i}]");
                    }
                    i++;
                }
            }
        }
    }
}
