using Microsoft.Extensions.Time.Testing;
using MlopsGateway.Metaflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>The run status rule of Metaflow's UI backend, against the real service's recorded runs and edge cases.</summary>
public sealed class StatusDerivationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_795_330_000);

    [SharedTheory]
    [InlineData("md-get-run-A", RunStatus.Succeeded, "completed")] // start failed once, retried, then ok; end ok
    [InlineData("md-get-run-B", RunStatus.Failed, "failed")]        // end attempt_ok False
    [InlineData("md-get-run-S", RunStatus.Succeeded, "completed")]  // string-id run
    public void Recorded_runs_derive_the_status_the_metaflow_ui_shows(string recording, RunStatus expected, string raw)
    {
        var metadata = WireReplayTests.Parse<List<MetadataDto>>(recording);
        // A long-stale heartbeat: the end step's result decides, whatever the clock says.
        var status = MetaflowStatus.DeriveRun(1_795_323_907, metadata, Now);
        status.Status.Should().Be(expected);
        status.Raw.Should().Be(raw);
        var endOk = metadata.Where(m => m.StepName == "end" && m.FieldName == "attempt_ok").MaxBy(m => m.TsEpoch)!;
        status.FinishedAt.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(endOk.TsEpoch));
    }

    [SharedFact]
    public void A_task_retried_then_ok_reports_its_second_attempt_succeeded()
    {
        var metadata = WireReplayTests.Parse<List<MetadataDto>>("md-get-run-A");
        var start = MetaflowStatus.SummarizeTask(metadata.Where(m => m.StepName == "start" && m.TaskId.Value == "37"));
        start.Attempt.Should().Be(1);
        var status = MetaflowStatus.DeriveTask(start, null, Now);
        status.Status.Should().Be(RunStatus.Succeeded);
        start.StartedAt.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1795323907714));
    }

    [Fact]
    public void A_failed_end_attempt_followed_by_a_newer_attempt_is_running()
    {
        var rows = new[]
        {
            Row(1, "attempt", "0", 1000, 0),
            Row(2, "attempt_ok", "False", 2000, 0),
            Row(3, "attempt", "1", 3000, 1),
        };
        MetaflowStatus.DeriveRun(null, rows, Now).Should().Be(new DerivedStatus(RunStatus.Running, "running", null));
        var finished = rows.Append(Row(4, "attempt_ok", "True", 4000, 1));
        MetaflowStatus.DeriveRun(null, finished, Now).Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public void The_newest_attempt_ok_wins_and_equal_timestamps_fall_back_to_the_row_id()
    {
        var rows = new[] { Row(10, "attempt_ok", "True", 5000, 0), Row(11, "attempt_ok", "False", 5000, 0) };
        MetaflowStatus.DeriveRun(null, rows, Now).Status.Should().Be(RunStatus.Failed);
        var older = new[] { Row(10, "attempt_ok", "False", 4000, 0), Row(11, "attempt_ok", "True", 5000, 0) };
        MetaflowStatus.DeriveRun(null, older, Now).Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public void Rows_of_other_steps_do_not_count()
    {
        var rows = new[] { Row(1, "attempt_ok", "True", 5000, 0, step: "start") };
        MetaflowStatus.DeriveRun(null, rows, Now).Status.Should().Be(RunStatus.Failed, "no end result and no heartbeat");
    }

    [Fact]
    public void Without_an_end_result_the_heartbeat_age_decides_with_a_360_second_cutoff()
    {
        var clock = new FakeTimeProvider(Now);
        var beat = Now.ToUnixTimeSeconds();
        MetaflowStatus.DeriveRun(beat, [], clock.GetUtcNow()).Status.Should().Be(RunStatus.Running);
        clock.Advance(TimeSpan.FromSeconds(360));
        MetaflowStatus.DeriveRun(beat, [], clock.GetUtcNow()).Status.Should().Be(RunStatus.Running, "a killed run reads Running until the cutoff");
        clock.Advance(TimeSpan.FromSeconds(1));
        var failed = MetaflowStatus.DeriveRun(beat, [], clock.GetUtcNow());
        failed.Should().Be(new DerivedStatus(RunStatus.Failed, "failed", DateTimeOffset.FromUnixTimeSeconds(beat)));
    }

    [Theory]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData(" 1 ", true)]
    [InlineData("0", false)]
    [InlineData("yes", true)]
    [InlineData("maybe", null)]
    [InlineData(null, null)]
    public void Attempt_ok_values_read_like_postgres_booleans(string? value, bool? expected)
        => MetaflowStatus.ParseBoolean(value).Should().Be(expected);

    [Fact]
    public void An_unreadable_end_result_falls_through_to_the_heartbeat()
    {
        var rows = new[] { Row(1, "attempt_ok", "garbage", 5000, 0) };
        MetaflowStatus.DeriveRun(Now.ToUnixTimeSeconds(), rows, Now).Status.Should().Be(RunStatus.Running);
    }

    [Fact]
    public void Task_status_follows_the_ui_task_rules()
    {
        var none = MetaflowStatus.SummarizeTask([]);
        MetaflowStatus.DeriveTask(none, null, Now).Status.Should().Be(RunStatus.Queued);
        var started = MetaflowStatus.SummarizeTask([Row(1, "attempt", "0", Now.ToUnixTimeMilliseconds(), 0)]);
        MetaflowStatus.DeriveTask(started, Now.ToUnixTimeSeconds(), Now).Status.Should().Be(RunStatus.Running);
        MetaflowStatus.DeriveTask(started, Now.ToUnixTimeSeconds() - 61, Now).Status.Should().Be(RunStatus.Failed);
        var done = MetaflowStatus.SummarizeTask([Row(1, "attempt", "0", 1, 0), Row(2, "attempt-done", "0", 2, 0)]);
        MetaflowStatus.DeriveTask(done, null, Now).Status.Should().Be(RunStatus.Unknown);
    }

    internal static MetadataDto Row(long id, string field, string value, long ts, int attempt, string step = "end") => new()
    {
        Id = id,
        FlowId = "F",
        RunNumber = new MetaflowId("1"),
        StepName = step,
        TaskId = new MetaflowId("9"),
        FieldName = field,
        Value = value,
        Type = field,
        TsEpoch = ts,
        TagList = [$"attempt_id:{attempt}"],
    };
}
