using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlopsGateway.Metaflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>Every recorded success body of the real 2.5.1 service parses into the adapter's DTOs with no field left over.</summary>
public sealed class WireReplayTests
{
    [SharedFact]
    public void Every_recorded_success_body_parses_with_no_field_lost()
    {
        var parsed = 0;
        foreach (var exchange in RecordedWire.All.Where(e => e.Status is >= 200 and < 300))
        {
            var type = RecordedWire.TypeOf(exchange);
            if (type is null)
            {
                exchange.ResponseText.Should().NotBeEmpty(exchange.ToString());
                continue;
            }
            var value = JsonSerializer.Deserialize(RecordedWire.RawBody(exchange), type);
            value.Should().NotBeNull(exchange.ToString());
            AssertNothingLost(value!, exchange.ToString());
            parsed++;
        }
        parsed.Should().BeGreaterThan(60, "most recorded exchanges are JSON successes");
    }

    /// <summary>
    /// Issue 15: the <c>Native</c> of every flow, run, task and artifact record is the row exactly as the service sent
    /// it — ids keep their JSON kind (a numeric run as the string "24" on step rows stays a string), null tag lists stay null.
    /// </summary>
    [SharedFact]
    public void Native_is_every_recorded_row_exactly_as_sent()
    {
        var compared = 0;
        var problems = new List<string>();
        foreach (var exchange in RecordedWire.All.Where(e => e.Status is >= 200 and < 300))
        {
            var type = RecordedWire.TypeOf(exchange);
            if (type is null)
            {
                continue;
            }
            var value = JsonSerializer.Deserialize(RecordedWire.RawBody(exchange), type);
            var rows = value is IEnumerable items and not string ? items.Cast<object>().ToList() : [value!];
            var recorded = exchange.ResponseBody is JsonArray array ? array.ToList() : [exchange.ResponseBody];
            for (var i = 0; i < rows.Count; i++)
            {
                System.Text.Json.JsonElement? native = rows[i] switch
                {
                    FlowDto flow => MetaflowMapper.ToPipeline(flow, "mf").Native,
                    RunDto run => MetaflowMapper.ToRun(run, "mf", null).Native,
                    TaskDto task => MetaflowMapper.ToTaskRun(task, "mf", new TaskAttemptSummary(), DateTimeOffset.UnixEpoch).Native,
                    ArtifactDto artifact => MetaflowMapper.ToArtifact(artifact).Native,
                    _ => null,
                };
                if (native is null)
                {
                    continue;
                }
                compared++;
                problems.AddRange(NativeJson.Differences(native, recorded[i]).Select(d => $"{exchange}: {d}"));
            }
        }
        problems.Should().BeEmpty();
        compared.Should().BeGreaterThan(40);
    }

    [SharedFact]
    public void Ids_arrive_as_numbers_or_strings_even_within_one_response()
    {
        var tasks = Parse<List<TaskDto>>("task-list");
        tasks.Select(t => t.TaskId.Value).Should().BeEquivalentTo(["sfn-e8qn7u-t1", "37"]);
        tasks.Single(t => t.TaskId.Value == "37").TaskId.IsNumeric.Should().BeTrue();
        tasks.Single(t => t.TaskId.Value == "sfn-e8qn7u-t1").TaskId.IsNumeric.Should().BeFalse();

        // Step rows of a numeric run carry run_number as the string "24"; it is still the numeric run.
        var step = Parse<StepDto>("step-get");
        step.RunNumber.Value.Should().Be("24");
        step.RunNumber.IsNumeric.Should().BeTrue();
        Parse<RunDto>("run-get-string-id").RunNumber.Value.Should().Be("argo-e8qn7u-0001");
    }

    [SharedFact]
    public void Null_tag_lists_read_as_empty_and_heartbeats_are_seconds()
    {
        var runs = Parse<List<RunDto>>("run-list-limit-ignored");
        var bob = runs.Single(r => r.RunNumber.Value == "25");
        bob.Tags.Should().BeEmpty();
        bob.SystemTags.Should().BeEmpty();
        runs.Single(r => r.RunNumber.Value == "26").LastHeartbeatTs.Should().BeNull();
        var run = Parse<RunDto>("run-get-after-hb");
        (run.LastHeartbeatTs!.Value * 1000 - run.TsEpoch).Should().BeInRange(0, 60_000, "ts_epoch is ms and the heartbeat seconds, a few seconds apart");
    }

    [Fact]
    public void Ids_round_trip_their_json_kind()
    {
        JsonSerializer.Serialize(new MetaflowId("24"), MetaflowJsonContext.Default.MetaflowId).Should().Be("24");
        JsonSerializer.Serialize(new MetaflowId("argo-1"), MetaflowJsonContext.Default.MetaflowId).Should().Be("\"argo-1\"");
        JsonSerializer.Deserialize("\"7\"", MetaflowJsonContext.Default.MetaflowId).IsNumeric.Should().BeTrue();
        var quoted = JsonSerializer.Deserialize("\"24\"", MetaflowJsonContext.Default.MetaflowId);
        JsonSerializer.Serialize(quoted, MetaflowJsonContext.Default.MetaflowId).Should().Be("\"24\"", "a step row's \"24\" is written back as sent");
        quoted.Should().Be(new MetaflowId("24"), "ids are equal by their text");
        var act = () => JsonSerializer.Deserialize("true", MetaflowJsonContext.Default.MetaflowId);
        act.Should().Throw<JsonException>();
    }

    internal static T Parse<T>(string id)
    {
        var exchange = RecordedWire.Get(id);
        return (T)JsonSerializer.Deserialize(RecordedWire.RawBody(exchange), RecordedWire.TypeOf(exchange)!)!;
    }

    private static void AssertNothingLost(object value, string because)
    {
        if (value is IEnumerable items and not string)
        {
            foreach (var item in items)
            {
                AssertNothingLost(item!, because);
            }
            return;
        }
        var extra = value.GetType().GetProperty("Extra")?.GetValue(value) as IDictionary;
        (extra?.Count ?? 0).Should().Be(0, $"{because} must map every field (left over: {string.Join(", ", extra?.Keys.Cast<object>() ?? [])})");
    }
}
