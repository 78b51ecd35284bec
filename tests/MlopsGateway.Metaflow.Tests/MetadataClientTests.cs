using System.Text.Json.Nodes;
using MlopsGateway.Metaflow.Tests.Fake;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>The Metaflow-specific service reached through GetService: steps, tasks, metadata and artifact records.</summary>
public sealed class MetadataClientTests
{
    [Fact]
    public async Task The_client_is_reachable_through_get_service_on_the_instrumented_backend()
    {
        await using var host = await MetaflowHost.StartAsync();
        host.Backend.GetService<MetaflowMetadataClient>().Should().NotBeNull();
        host.Backend.GetService<MetaflowBackend>()!.Metadata.Should().BeSameAs(host.Metadata);
    }

    [Fact]
    public async Task Steps_and_tasks_register_idempotently_by_name()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-s");
        var step = await host.Metadata.RegisterStepAsync(run.Id, "train");
        (await host.Metadata.RegisterStepAsync(run.Id, "train")).Name.Should().Be(step.Name);
        var named = await host.Metadata.RegisterTaskAsync(run.Id, "train", "shard-0");
        var again = await host.Metadata.RegisterTaskAsync(run.Id, "train", "shard-0");
        again.TaskId.Should().Be("shard-0");
        again.Pathspec.Should().Be("TrainFlow/argo-s/train/shard-0");
        var numbered = await host.Metadata.RegisterTaskAsync(run.Id, "train");
        numbered.TaskId.Should().MatchRegex("^[0-9]+$");
        (await host.Metadata.ListTasksAsync(run.Id, "train").ToListAsync()).Select(t => t.TaskId).Should().BeEquivalentTo([named.TaskId, numbered.TaskId]);
        (await host.Metadata.ListStepsAsync(run.Id).ToListAsync()).Single().Name.Should().Be("train");
        (await host.Metadata.GetTaskAsync(run.Id, "train", numbered.TaskId)).TaskId.Should().Be(numbered.TaskId);

        var numericName = () => host.Metadata.RegisterTaskAsync(run.Id, "train", "7");
        await numericName.Should().ThrowAsync<MlopsValidationException>();
        var missingStep = () => host.Metadata.RegisterTaskAsync(run.Id, "nosuch");
        await missingStep.Should().ThrowAsync<MlopsNotFoundException>("the FK violation is a 404");
        var missingRun = () => host.Metadata.RegisterStepAsync("TrainFlow/argo-missing", "start");
        await missingRun.Should().ThrowAsync<MlopsNotFoundException>("2.5.1 answers a 500 KeyError 'run_number' for a step under a missing run");
    }

    [Fact]
    public async Task Lists_under_a_missing_parent_are_not_found()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-l");
        await host.Metadata.RegisterStepAsync(run.Id, "start");
        (await host.Metadata.ListTasksAsync(run.Id, "start").ToListAsync()).Should().BeEmpty("the step exists and has no tasks");
        var steps = () => host.Metadata.ListStepsAsync("TrainFlow/argo-none").ToListAsync();
        await steps.Should().ThrowAsync<MlopsNotFoundException>();
        var tasks = () => host.Metadata.ListTasksAsync(run.Id, "nosuch").ToListAsync();
        await tasks.Should().ThrowAsync<MlopsNotFoundException>();
        var metadata = () => host.Metadata.ListTaskMetadataAsync(run.Id, "start", "999").ToListAsync();
        await metadata.Should().ThrowAsync<MlopsNotFoundException>();
        var artifacts = () => host.Metadata.ListArtifactsAsync("TrainFlow/argo-none").ToListAsync();
        await artifacts.Should().ThrowAsync<MlopsNotFoundException>();
    }

    [Fact]
    public async Task Metadata_rows_carry_their_attempt_and_normalize_blank_types()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-m");
        var task = await host.RegisterTaskAsync(run, "start", "t");
        await host.Metadata.AddMetadataAsync(run.Id, "start", task.TaskId, [new("ds-root", "s3://bucket/mf", Attempt: 1), new("note", new string('v', 300), "note")]);
        var post = host.Requests.Last(r => r.Method == "POST");
        var rows = JsonNode.Parse(post.Body!)!.AsArray();
        rows[0]!["type"]!.GetValue<string>().Should().Be("ds-root", "the type defaults to the field name");
        rows[0]!["tags"]!.AsArray().Single()!.GetValue<string>().Should().Be("attempt_id:1");

        var read = await host.Metadata.ListTaskMetadataAsync(run.Id, "start", task.TaskId).ToListAsync();
        read.Single(r => r.FieldName == "ds-root").Attempt.Should().Be(1);
        read.Single(r => r.FieldName == "note").Value.Should().HaveLength(300, "values are TEXT: long values are fine");
        (await host.Metadata.ListRunMetadataAsync(run.Id).ToListAsync()).Should().HaveCount(2);

        using var http = new HttpClient { BaseAddress = host.Fake.BaseUri };
        await http.PostAsync($"flows/TrainFlow/runs/argo-m/steps/start/tasks/t/metadata", new StringContent("[{\"field_name\":\"minimal\",\"value\":\"1\"}]"));
        var minimal = (await host.Metadata.ListTaskMetadataAsync(run.Id, "start", task.TaskId).ToListAsync()).Single(r => r.FieldName == "minimal");
        minimal.Type.Should().BeNull("the service stores a missing type as a single space");
    }

    [Fact]
    public async Task Over_long_fields_are_rejected_before_sending()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-v");
        var before = host.Requests.Count;
        var longName = () => host.Metadata.AddMetadataAsync(run.Id, "start", "t", [new(new string('f', 256), "v")]);
        await longName.Should().ThrowAsync<MlopsValidationException>().WithMessage("*255*");
        var longType = () => host.Metadata.AddMetadataAsync(run.Id, "start", "t", [new("f", "v", new string('t', 256))]);
        await longType.Should().ThrowAsync<MlopsValidationException>();
        var longLocation = () => host.Metadata.AddArtifactsAsync(run.Id, "start", "t", [new MetaflowArtifactWrite { Name = "x", Sha = "s", Location = "s3://" + new string('l', 260) }]);
        await longLocation.Should().ThrowAsync<MlopsValidationException>().WithMessage("*location*");
        var duplicate = () => host.Metadata.AddArtifactsAsync(run.Id, "start", "t",
            [new MetaflowArtifactWrite { Name = "x", Sha = "s", Location = "l" }, new MetaflowArtifactWrite { Name = "x", Sha = "s2", Location = "l2" }]);
        await duplicate.Should().ThrowAsync<MlopsValidationException>();
        host.Requests.Count.Should().Be(before);
    }

    [Fact]
    public async Task A_200_that_stored_fewer_rows_than_sent_is_an_error_not_silence()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-c");
        var task = await host.RegisterTaskAsync(run, "start", "t");
        MetaflowArtifactWrite[] records = [new MetaflowArtifactWrite { Name = "y", Sha = "d4", Location = "s3://b/d", Attempt = 1 }];
        await host.Metadata.AddArtifactsAsync(run.Id, "start", task.TaskId, records);
        var again = () => host.Metadata.AddArtifactsAsync(run.Id, "start", task.TaskId, records);
        var thrown = (await again.Should().ThrowAsync<MlopsException>()).Which;
        thrown.Message.Should().Contain("stored 0 of 1");
        thrown.Status.Should().Be(200);

        var missingTask = () => host.Metadata.AddMetadataAsync(run.Id, "start", "999", [new("a", "b")]);
        await missingTask.Should().ThrowAsync<MlopsValidationException>("the service answers 400 'need to register run_id and task_id first'");
    }

    [Fact]
    public async Task Artifact_records_of_run_step_task_and_attempt()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-a");
        var task = await host.RegisterTaskAsync(run, "start", "t");
        await host.Metadata.AddArtifactsAsync(run.Id, "start", task.TaskId,
            [new MetaflowArtifactWrite { Name = "x", Sha = "b2", Location = "s3://b/x", Attempt = 0 }, new MetaflowArtifactWrite { Name = "model", Sha = "a1", Location = "s3://b/m0", Attempt = 0 }]);
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await host.Metadata.AddArtifactsAsync(run.Id, "start", task.TaskId,
            [new MetaflowArtifactWrite { Name = "model", Sha = "a2", Location = "s3://b/m1", Attempt = 1, DatastoreType = "s3", ContentType = "gzip+pickle-v2" }]);

        var latest = await host.Metadata.ListArtifactsAsync(run.Id, "start", task.TaskId).ToListAsync();
        latest.Single().Should().Match<MetaflowArtifact>(a => a.Name == "model" && a.Attempt == 1 && a.Sha == "a2" && a.Location == "s3://b/m1"
            && a.DatastoreType == "s3" && a.Type == "metaflow.artifact" && a.ContentType == "gzip+pickle-v2");
        (await host.Metadata.ListArtifactsAsync(run.Id, "start", task.TaskId, attempt: 0).ToListAsync()).Should().HaveCount(2);
        (await host.Metadata.ListArtifactsAsync(run.Id).ToListAsync()).Single().Name.Should().Be("model");
        (await host.Metadata.ListArtifactsAsync(run.Id, "start").ToListAsync()).Should().ContainSingle();
        var older = () => host.Metadata.GetArtifactAsync(run.Id, "start", task.TaskId, "x");
        await older.Should().ThrowAsync<MlopsNotFoundException>("the latest attempt has no 'x'");
        (await host.Metadata.GetArtifactAsync(run.Id, "start", task.TaskId, "x", attempt: 0)).Sha.Should().Be("b2");
    }

    [Fact]
    public async Task Task_filtering_needs_2_5_and_a_valid_pattern()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-f");
        var task = await host.RegisterTaskAsync(run, "start", "t");
        await host.Metadata.AddMetadataAsync(run.Id, "start", task.TaskId, [new("attempt_ok", "True", "internal_attempt_status", 0)]);
        (await host.Metadata.FilterTasksAsync(run.Id, "start", "attempt_ok", "^True$")).Should().Equal("TrainFlow/argo-f/start/t");
        var bad = () => host.Metadata.FilterTasksAsync(run.Id, "start", "attempt_ok", "(");
        await bad.Should().ThrowAsync<MlopsValidationException>();

        await using var old = await MetaflowHost.StartAsync();
        old.Fake.Version = "2.4.0";
        var oldRun = await old.RegisterRunAsync("TrainFlow", "argo-f");
        var before = old.Requests.Count;
        var act = () => old.Metadata.FilterTasksAsync(oldRun.Id, "start", "attempt_ok", "True");
        (await act.Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("2.5.0");
        old.Requests.Skip(before).Select(r => r.Path).Should().Equal("/ping");
    }

    [Fact]
    public async Task Heartbeats_follow_the_ten_second_rule()
    {
        await using var host = await MetaflowHost.StartAsync();
        var run = await host.RegisterRunAsync("TrainFlow", "argo-h");
        (await host.Metadata.HeartbeatRunAsync(run.Id)).Should().BeFalse("it beat at registration, under 10 s ago");
        host.Backend.GetService<MetaflowBackend>()!.Heartbeats.Stop(MetaflowRunRef.Parse(run.Id, host.Backend.GetService<MetaflowBackend>()!.Context)); // only manual beats from here
        host.Clock.Advance(TimeSpan.FromSeconds(11));
        (await host.Metadata.HeartbeatRunAsync(run.Id)).Should().BeTrue();
        (await host.Metadata.HeartbeatRunAsync("TrainFlow/argo-none")).Should().BeFalse();
        host.Requests.Where(r => r.Path.EndsWith("/heartbeat")).Should().OnlyContain(r => r.Body == "{}");
    }

    [Fact]
    public async Task Version_parsing_takes_the_numeric_prefix()
    {
        MetaflowBackend.ParseVersion("2.5.1").Should().Be(new Version(2, 5, 1));
        MetaflowBackend.ParseVersion("2.4.0.dev1").Should().Be(new Version(2, 4, 0));
        MetaflowBackend.ParseVersion("2.3").Should().Be(new Version(2, 3, 0));
        MetaflowBackend.ParseVersion("").Should().BeNull();
        MetaflowBackend.ParseVersion("unknown").Should().BeNull();
        await using var host = await MetaflowHost.StartAsync();
        host.Fake.Version = null;
        var run = await host.RegisterRunAsync("TrainFlow", "argo-nv");
        await host.Backend.Runs.SetTagAsync(run, "x", "");
        (await host.Backend.Runs.GetAsync(run)).Tags.Should().ContainKey("x", "an unknown version is given the benefit of the doubt");
    }
}
