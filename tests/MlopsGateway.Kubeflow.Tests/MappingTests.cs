using System.Text.Json;
using MlopsGateway.Kubeflow;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>KFP states and runs to the neutral model (DESIGN.md §2).</summary>
public sealed class MappingTests
{
    [Theory]
    [InlineData("PENDING", RunStatus.Queued)]
    [InlineData("RUNNING", RunStatus.Running)]
    [InlineData("SUCCEEDED", RunStatus.Succeeded)]
    [InlineData("SKIPPED", RunStatus.Skipped)]
    [InlineData("FAILED", RunStatus.Failed)]
    [InlineData("CANCELING", RunStatus.Running)]
    [InlineData("CANCELED", RunStatus.Canceled)]
    [InlineData("PAUSED", RunStatus.Paused)]
    [InlineData("RUNTIME_STATE_UNSPECIFIED", RunStatus.Unknown)]
    [InlineData(null, RunStatus.Unknown)]
    [InlineData("SOMETHING_NEW", RunStatus.Unknown)]
    public void Run_states_map_to_the_normalized_status(string? state, RunStatus expected)
    {
        KfpMapping.ToStatus(state).Should().Be(expected);
        var run = KfpMapping.ToRun(new KfpRun { RunId = "r", State = state }, "kfp");
        run.Status.Should().Be(expected);
        run.RawStatus.Should().Be(state ?? "RUNTIME_STATE_UNSPECIFIED");
    }

    [Fact]
    public void Parameters_become_params_through_the_core_formatter_with_originals_in_native()
    {
        var run = JsonSerializer.Deserialize("""
            {"run_id":"r1","display_name":"n","experiment_id":"e","state":"SUCCEEDED",
             "created_at":"2026-01-02T03:04:05Z","finished_at":"2026-01-02T04:04:05Z",
             "pipeline_version_reference":{"pipeline_id":"p","pipeline_version_id":"v"},
             "runtime_config":{"parameters":{"lr":0.01,"epochs":3,"name":"x y","obj":{"a": [1, 2]},"flag":false,"big":1e21}}}
            """, KfpJsonContext.Default.KfpRun)!;

        var mapped = KfpMapping.ToRun(run, "kfp");

        mapped.Params.Should().Equal(new Dictionary<string, string>
        {
            ["lr"] = "0.01", ["epochs"] = "3", ["name"] = "x y", ["obj"] = """{"a":[1,2]}""", ["flag"] = "false", ["big"] = "1e21",
        });
        mapped.Native!.Value.GetProperty("runtime_config").GetProperty("parameters").GetProperty("lr").GetDouble().Should().Be(0.01);
        mapped.Backend.Should().Be("kfp");
        mapped.ExperimentId.Should().Be("e");
        mapped.PipelineId.Should().Be("p");
        mapped.PipelineVersionId.Should().Be("v");
        mapped.StartTime.Should().Be(DateTimeOffset.Parse("2026-01-02T03:04:05Z"));
        mapped.EndTime.Should().Be(DateTimeOffset.Parse("2026-01-02T04:04:05Z"));
        mapped.IsTerminal.Should().BeTrue();
    }

    [Fact]
    public void The_epoch_placeholder_of_an_unfinished_run_is_no_end_time()
    {
        var run = KfpMapping.ToRun(new KfpRun { RunId = "r", State = "RUNNING", FinishedAt = "1970-01-01T00:00:00Z" }, "kfp");

        run.EndTime.Should().BeNull();
    }

    [Fact]
    public void Task_details_become_task_runs()
    {
        var task = new KfpTaskDetail
        {
            TaskId = "t1", DisplayName = "train", State = "FAILED", PodName = "pod-1",
            StartTime = "2026-01-02T03:04:07Z", EndTime = "2026-01-02T03:05:07Z",
            ExecutorDetail = new KfpExecutorDetail { FailedMainJobs = ["a", "b"] },
        };

        var mapped = KfpMapping.ToTaskRun(task, "r1", "kfp");

        mapped.Should().BeEquivalentTo(new { Backend = "kfp", RunId = "r1", Id = "t1", Name = "train", Status = RunStatus.Failed, RawStatus = "FAILED", Attempt = 3 });
        mapped.Native!.Value.GetProperty("pod_name").GetString().Should().Be("pod-1");
    }

    [Fact]
    public void Archived_experiments_read_as_deleted()
    {
        KfpMapping.ToExperiment(new KfpExperiment { ExperimentId = "e", DisplayName = "x", StorageState = "ARCHIVED" }, "kfp").State.Should().Be(LifecycleState.Deleted);
        KfpMapping.ToExperiment(new KfpExperiment { ExperimentId = "e", DisplayName = "x" }, "kfp").State.Should().Be(LifecycleState.Active);
    }
}
