using System.Text.Json;
using MlopsGateway.Kubeflow;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>DTO parsing: zero values omitted, int64 as strings, the metadataType polymorphism, nothing lost.</summary>
public sealed class WireFormatTests
{
    private const string FullRun = """
        {"experiment_id":"e1","run_id":"r1","display_name":"nightly","storage_state":"AVAILABLE",
         "pipeline_version_reference":{"pipeline_id":"p1","pipeline_version_id":"v1"},
         "runtime_config":{"parameters":{"lr":0.01,"epochs":3,"name":"x","flags":{"a":[1,2]},"on":true},"pipeline_root":"minio://mlpipeline/v2/artifacts"},
         "service_account":"pipeline-runner","created_at":"2026-01-02T03:04:05Z","scheduled_at":"2026-01-02T03:04:05Z",
         "finished_at":"1970-01-01T00:00:00Z","state":"RUNNING",
         "run_details":{"pipeline_context_id":"12","pipeline_run_context_id":"13","task_details":[
            {"run_id":"r1","task_id":"t1","display_name":"train","create_time":"2026-01-02T03:04:06Z","start_time":"2026-01-02T03:04:07Z",
             "end_time":"2026-01-02T03:05:07Z","state":"SUCCEEDED","execution_id":"9007199254740993","pod_name":"nightly-abc-123",
             "inputs":{"data":{"artifact_ids":["1","2"]}},"child_tasks":[{"task_id":"t2","pod_name":"p2"}],
             "executor_detail":{"main_job":"j","failed_main_jobs":["j0"]},
             "state_history":[{"update_time":"2026-01-02T03:04:07Z","state":"RUNNING"}]}]},
         "state_history":[{"update_time":"2026-01-02T03:04:05Z","state":"PENDING"},{"update_time":"2026-01-02T03:04:06Z","state":"RUNNING"}],
         "error":{"code":0,"message":""},"plugins_output":{"mlflow":{"state":"PLUGIN_RUNNING"}}}
        """;

    [Fact]
    public void A_full_run_parses_with_int64_strings_and_nothing_left_in_extension_data()
    {
        var run = JsonSerializer.Deserialize(FullRun, KfpJsonContext.Default.KfpRun)!;

        run.Extra.Should().BeNull();
        run.RunDetails!.PipelineContextId.Should().Be("12");
        var task = run.RunDetails.TaskDetails!.Single();
        task.ExecutionId.Should().Be("9007199254740993", "int64 ids stay exact strings, beyond double precision");
        task.Inputs!["data"].ArtifactIds.Should().Equal("1", "2");
        task.Extra.Should().BeNull();
        task.ExecutorDetail!.Extra.Should().BeNull();
        run.StateHistory.Should().HaveCount(2);
        run.RuntimeConfig!.Parameters!["epochs"]!.GetValue<int>().Should().Be(3);
    }

    [Fact]
    public void Int64_fields_are_written_back_as_json_strings()
    {
        var run = JsonSerializer.Deserialize(FullRun, KfpJsonContext.Default.KfpRun)!;
        var json = JsonSerializer.SerializeToNode(run, KfpJsonContext.Default.KfpRun)!;

        json["run_details"]!["pipeline_context_id"]!.GetValue<string>().Should().Be("12");
        json["run_details"]!["task_details"]![0]!["execution_id"]!.GetValue<string>().Should().Be("9007199254740993");
        var recurring = new KfpRecurringRun { MaxConcurrency = KfpMapping.Int64(3), Trigger = new KfpTrigger { PeriodicSchedule = new KfpPeriodicSchedule { IntervalSecond = KfpMapping.Int64(60) } } };
        var rr = JsonSerializer.SerializeToNode(recurring, KfpJsonContext.Default.KfpRecurringRun)!;
        rr.ToJsonString().Should().Be("""{"max_concurrency":"3","trigger":{"periodic_schedule":{"interval_second":"60"}}}""");
    }

    [Fact]
    public void An_empty_object_parses_because_every_member_is_optional()
    {
        var run = JsonSerializer.Deserialize("{}", KfpJsonContext.Default.KfpRun)!;
        var mapped = KfpMapping.ToRun(run, "kfp");

        mapped.Status.Should().Be(RunStatus.Unknown);
        mapped.RawStatus.Should().Be("RUNTIME_STATE_UNSPECIFIED");
        mapped.Params.Should().BeEmpty();
        JsonSerializer.Deserialize("{}", KfpJsonContext.Default.KfpListRunsResponse)!.Runs.Should().BeNull();
    }

    [Fact]
    public void Placeholder_values_in_int64_fields_do_not_break_parsing()
    {
        // Prism's generated examples put "string" where the spec says int64-as-string; a client must not choke.
        var run = JsonSerializer.Deserialize("""{"run_details":{"pipeline_context_id":"string","task_details":[{"execution_id":"string"}]}}""", KfpJsonContext.Default.KfpRun)!;
        var model = JsonSerializer.Deserialize("""{"createTimeSinceEpoch":"string"}""", ModelRegistryJsonContext.Default.MrRegisteredModel)!;

        run.RunDetails!.PipelineContextId.Should().Be("string");
        ModelRegistryMapping.ToModel(model, "mr").CreatedAt.Should().BeNull();
    }

    [Fact]
    public void Unknown_fields_from_a_newer_server_are_kept_and_round_trip()
    {
        var run = JsonSerializer.Deserialize("""{"run_id":"r","future_field":{"x":1}}""", KfpJsonContext.Default.KfpRun)!;

        run.Extra.Should().ContainKey("future_field");
        JsonSerializer.Serialize(run, KfpJsonContext.Default.KfpRun).Should().Be("""{"run_id":"r","future_field":{"x":1}}""");
    }

    [Fact]
    public void The_recurring_run_list_uses_the_camel_case_proto_name()
    {
        var list = JsonSerializer.Deserialize("""{"recurringRuns":[{"recurring_run_id":"s1","max_concurrency":"2"}],"total_size":1}""",
            KfpJsonContext.Default.KfpListRecurringRunsResponse)!;

        list.RecurringRuns!.Single().MaxConcurrency.Should().Be("2");
        list.Extra.Should().BeNull();
    }

    [Fact]
    public void Custom_properties_are_polymorphic_on_metadataType_wherever_it_appears()
    {
        const string json = """
            {"id":"1","name":"fraud","createTimeSinceEpoch":"1700000000000","lastUpdateTimeSinceEpoch":"1700000001000","state":"LIVE",
             "customProperties":{
               "team":{"string_value":"risk","metadataType":"MetadataStringValue"},
               "rows":{"metadataType":"MetadataIntValue","int_value":"42"},
               "auc":{"metadataType":"MetadataDoubleValue","double_value":0.91},
               "ok":{"metadataType":"MetadataBoolValue","bool_value":true},
               "blob":{"metadataType":"MetadataStructValue","struct_value":"e30="},
               "pb":{"metadataType":"MetadataProtoValue","type":"t","proto_value":"AA=="},
               "new":{"metadataType":"MetadataFutureValue","future_value":1}}}
            """;
        var model = JsonSerializer.Deserialize(json, ModelRegistryJsonContext.Default.MrRegisteredModel)!;

        model.Extra.Should().BeNull();
        var p = model.CustomProperties!;
        p["team"].Should().BeOfType<MrStringValue>().Which.StringValue.Should().Be("risk");
        p["rows"].Should().BeOfType<MrIntValue>().Which.IntValue.Should().Be(42);
        p["auc"].Should().BeOfType<MrDoubleValue>().Which.DoubleValue.Should().Be(0.91);
        p["ok"].Should().BeOfType<MrBoolValue>().Which.BoolValue.Should().BeTrue();
        p["blob"].Should().BeOfType<MrStructValue>().Which.StructValue.Should().Be("e30=");
        p["pb"].Should().BeOfType<MrProtoValue>().Which.ProtoValue.Should().Be("AA==");
        p["new"].GetType().Should().Be<MrMetadataValue>();
        p["new"].Extra.Should().ContainKey("future_value");
        foreach (var known in new[] { "team", "rows", "auc", "ok", "blob", "pb" })
        {
            p[known].Extra.Should().BeNull(known);
        }

        var mapped = ModelRegistryMapping.ToModel(model, "mr");
        mapped.CreatedAt.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1700000000000));
        mapped.Tags.Should().Contain(new Dictionary<string, string> { ["team"] = "risk", ["rows"] = "42", ["auc"] = "0.91", ["ok"] = "true" });
    }

    [Fact]
    public void Custom_properties_are_written_with_their_discriminator_and_snake_case_value_keys()
    {
        var model = new MrRegisteredModel
        {
            Name = "m",
            CustomProperties = new() { ["team"] = new MrStringValue { StringValue = "risk" }, ["rows"] = new MrIntValue { IntValue = 7 } },
        };

        JsonSerializer.Serialize(model, ModelRegistryJsonContext.Default.MrRegisteredModel).Should().Be(
            """{"name":"m","customProperties":{"team":{"metadataType":"MetadataStringValue","string_value":"risk"},"rows":{"metadataType":"MetadataIntValue","int_value":"7"}}}""");
    }

    [Fact]
    public void The_alias_map_lives_in_one_custom_property_and_is_hidden_from_tags()
    {
        var model = new MrRegisteredModel
        {
            Name = "m",
            CustomProperties = new()
            {
                [ModelRegistryMapping.AliasesKey] = ModelRegistryMapping.AliasValue(new Dictionary<string, string> { ["champion"] = "3", ["challenger"] = "4" }),
                ["team"] = new MrStringValue { StringValue = "risk" },
            },
        };

        var mapped = ModelRegistryMapping.ToModel(model, "mr");
        mapped.Aliases.Should().Equal(new Dictionary<string, string> { ["champion"] = "3", ["challenger"] = "4" });
        mapped.Tags.Should().Equal(new Dictionary<string, string> { ["team"] = "risk" });
        var version = ModelRegistryMapping.ToVersion(model, new MrModelVersion { Name = "3", State = "LIVE" }, new MrModelArtifact { Uri = "s3://b/m/3", ModelSourceId = "run-1" }, "mr");
        version.Aliases.Should().Equal("champion");
        version.Source.Should().Be("s3://b/m/3");
        version.RunId.Should().Be("run-1");
    }
}
