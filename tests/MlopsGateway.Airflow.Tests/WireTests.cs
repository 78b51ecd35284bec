using Microsoft.Extensions.Time.Testing;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Testing;

namespace MlopsGateway.Airflow.Tests;

/// <summary>Exact wire traffic per endpoint and per dialect, against the stateful fake.</summary>
public sealed class WireTests
{
    /// <summary>A fake with three DAGs and a backend for it; disposing stops both.</summary>
    private sealed class Harness(AirflowFake fake, ServiceProvider services) : IAsyncDisposable
    {
        public AirflowFake Fake => fake;

        public IMlopsBackend Backend { get; } = services.Backend();

        public void Deconstruct(out AirflowFake f, out IMlopsBackend b) => (f, b) = (Fake, Backend);

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await fake.DisposeAsync();
        }
    }

    private static async Task<Harness> StartAsync(FakeDialect dialect, TimeProvider? clock = null, Action<BackendOptions>? tweak = null)
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect, Clock = clock ?? TimeProvider.System });
        fake.AddDag("train", ["prepare", "fit"], tags: ["ml", "nightly"]);
        fake.AddDag("report", ["render"], tags: ["ml"], paused: true);
        fake.AddDag("fails", ["boom", "after"], failingTask: "boom");
        return new Harness(fake, AirflowHost.ForFake(fake, dialect, tweak, clock));
    }

    private static string P(FakeDialect d) => d == FakeDialect.V1 ? "/api/v1" : "/api/v2";

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Trigger_sends_conf_run_id_and_note_and_only_v2_sends_a_null_logical_date(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;
        var run = await backend.Pipelines.TriggerAsync("train", new TriggerOptions
        {
            RunId = "manual__2026-11-22T10:00:00+00:00",
            Parameters = new JsonObject { ["lr"] = 0.01, ["name"] = "x", ["layers"] = new JsonArray(1, 2) },
            Note = "from C#",
        });

        var post = fake.Server.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/dagRuns", StringComparison.Ordinal));
        post.Path.Should().Be($"{P(dialect)}/dags/train/dagRuns");
        var expected = dialect == FakeDialect.V1
            ? """{"dag_run_id":"manual__2026-11-22T10:00:00+00:00","conf":{"lr":0.01,"name":"x","layers":[1,2]},"note":"from C#"}"""
            : """{"dag_run_id":"manual__2026-11-22T10:00:00+00:00","logical_date":null,"conf":{"lr":0.01,"name":"x","layers":[1,2]},"note":"from C#"}""";
        JsonNode.DeepEquals(JsonNode.Parse(post.Body!), JsonNode.Parse(expected)).Should().BeTrue(post.Body);
        post.Header("Content-Type").Should().StartWith("application/json");

        run.Id.Should().Be("train/manual__2026-11-22T10%3A00%3A00%2B00%3A00");
        run.Name.Should().Be("manual__2026-11-22T10:00:00+00:00");
        run.Status.Should().Be(RunStatus.Queued);
        run.RawStatus.Should().Be("queued");
        run.PipelineId.Should().Be("train");
        run.Backend.Should().Be(AirflowHost.Name);
        run.Params.Should().Equal(new Dictionary<string, string> { ["lr"] = "0.01", ["name"] = "x", ["layers"] = "[1,2]" });
        run.Native!.Value.GetProperty("conf").GetProperty("layers").GetArrayLength().Should().Be(2);
        run.Native.Value.TryGetProperty(dialect == FakeDialect.V1 ? "execution_date" : "run_after", out var renamed).Should().BeTrue(renamed.ToString());
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task A_run_id_with_plus_and_colon_round_trips_percent_encoded_on_the_wire(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;
        var run = await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "manual__2026-11-22T10:00:00+00:00" });

        var again = await backend.Runs.GetAsync(run.Id);
        var tasks = await backend.Pipelines.ListTaskRunsAsync(again).ToListAsync();

        again.Name.Should().Be("manual__2026-11-22T10:00:00+00:00");
        again.Id.Should().Be(run.Id);
        tasks.Select(t => t.Name).Should().Equal("prepare", "fit");
        tasks.Should().OnlyContain(t => t.RunId == run.Id && t.Status == RunStatus.Queued && t.RawStatus == null && t.Attempt == 0);
        fake.RawTargets.Should().Contain($"{P(dialect)}/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00");
        fake.RawTargets.Should().Contain(t => t.StartsWith($"{P(dialect)}/dags/train/dagRuns/manual__2026-11-22T10%3A00%3A00%2B00%3A00/taskInstances?", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task A_generated_run_id_makes_a_repeated_trigger_return_the_existing_run(FakeDialect dialect)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        await using var h = await StartAsync(dialect, clock);
        var (fake, backend) = h;

        var first = await backend.Pipelines.TriggerAsync("train");
        first.Name.Should().StartWith("mlops__2026-11-22T10:00:00.000000+00:00_");

        // The same request again (what a retry after a lost response sends) meets 409 and returns the run.
        var sameId = await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = first.Name });
        sameId.Id.Should().Be(first.Id);
        fake.Server.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/dagRuns", StringComparison.Ordinal)).Should().Be(2);
        fake.Server.Requests[^1].Method.Should().Be("GET");
        (await backend.Runs.ListAsync(new RunQuery { PipelineId = "train" }).ToListAsync()).Should().ContainSingle();
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task A_conflict_on_the_logical_date_stays_a_conflict(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;
        var date = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);
        await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "a", LogicalDate = date });

        var act = () => backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "b", LogicalDate = date });

        var e = (await act.Should().ThrowAsync<MlopsConflictException>()).Which;
        e.Status.Should().Be(409);
        e.Message.Should().Contain("already exists");
        var post = fake.Server.Requests.Last(r => r.Method == "POST");
        JsonNode.Parse(post.Body!)!["logical_date"]!.GetValue<string>().Should().Be("2026-11-20T08:30:00+00:00");
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Pipelines_list_sends_filters_pages_by_offset_and_maps_dags(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;

        var all = await backend.Pipelines.ListAsync(new PipelineQuery { PageSize = 2 }).ToListAsync();
        var filtered = await backend.Pipelines.ListAsync(new PipelineQuery { NameContains = "ra", Tags = ["ml", "nightly"], IsPaused = false }).ToListAsync();

        all.Select(p => p.Id).Should().Equal("fails", "report", "train");
        var lists = fake.Server.Requests.Where(r => r.Path == $"{P(dialect)}/dags").Select(r => r.Query).ToList();
        lists.Should().Equal(
            "?limit=2&offset=0",
            "?limit=2&offset=2",
            dialect == FakeDialect.V1
                ? "?limit=100&offset=0&tags=ml&tags=nightly&paused=false&dag_id_pattern=ra"
                : "?limit=50&offset=0&tags=ml&tags=nightly&tags_match_mode=all&paused=false&dag_id_pattern=ra");
        filtered.Should().ContainSingle().Which.Id.Should().Be("train");
        var train = filtered[0];
        train.Tags.Should().Equal(new Dictionary<string, string> { ["ml"] = "", ["nightly"] = "" });
        train.Owners.Should().Equal("airflow");
        train.IsPaused.Should().BeFalse();
        train.Schedule.Should().Be("Never, external triggers only");
        all.Single(p => p.Id == "report").IsPaused.Should().BeTrue();
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Pause_and_resume_patch_is_paused_with_v1s_update_mask(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;

        var paused = await backend.Pipelines.PauseAsync("train");
        var resumed = await backend.Pipelines.ResumeAsync("train");

        paused.IsPaused.Should().BeTrue();
        resumed.IsPaused.Should().BeFalse();
        var patches = fake.Server.Requests.Where(r => r.Method == "PATCH").ToList();
        patches.Select(r => r.Path + r.Query).Should().AllBe(dialect == FakeDialect.V1 ? "/api/v1/dags/train?update_mask=is_paused" : "/api/v2/dags/train");
        patches.Select(r => r.Body).Should().Equal("""{"is_paused":true}""", """{"is_paused":false}""");
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Runs_list_for_all_dags_sends_states_dates_and_ordering(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;
        await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "r1" });
        await backend.Pipelines.TriggerAsync("fails", new TriggerOptions { RunId = "r2" });
        fake.RunAll();

        var failed = await backend.Runs.ListAsync(new RunQuery
        {
            Statuses = [RunStatus.Failed, RunStatus.Canceled],
            StartedAfter = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            OrderBy = [new RunOrdering(RunSortField.StartTime)],
        }).ToListAsync();
        var none = await backend.Runs.ListAsync(new RunQuery { Statuses = [RunStatus.Canceled] }).ToListAsync();

        failed.Should().ContainSingle().Which.Id.Should().Be("fails/r2");
        failed[0].Status.Should().Be(RunStatus.Failed);
        none.Should().BeEmpty();
        var list = fake.Server.Requests.Last(r => r.Path.EndsWith("/dagRuns", StringComparison.Ordinal) && r.Method == "GET");
        list.Path.Should().Be($"{P(dialect)}/dags/~/dagRuns");
        list.Query.Should().Be($"?limit={(dialect == FakeDialect.V1 ? 100 : 50)}&offset=0&state=failed&start_date_gte=2020-01-01T00%3A00%3A00.000000%2B00%3A00&order_by=-start_date");
        fake.Server.Requests.Count(r => r.Path.EndsWith("/dagRuns", StringComparison.Ordinal) && r.Method == "GET").Should().Be(1, "a filter only on states Airflow lacks sends nothing");
    }

    [Fact]
    public async Task V2_repeats_order_by_while_v1_rejects_a_second_key_before_sending()
    {
        await using var h2 = await StartAsync(FakeDialect.V2);
        var (fake2, v2) = h2;
        await using var h1 = await StartAsync(FakeDialect.V1);
        var (fake1, v1) = h1;
        var query = new RunQuery { PipelineId = "train", OrderBy = [new RunOrdering(RunSortField.EndTime), new RunOrdering(RunSortField.Name, Descending: false)] };

        await v2.Runs.ListAsync(query).ToListAsync();
        var act = () => v1.Runs.ListAsync(query).ToListAsync();

        fake2.Server.Requests.Single(r => r.Path.EndsWith("/dagRuns", StringComparison.Ordinal)).Query.Should().Be("?limit=50&offset=0&order_by=-end_date&order_by=dag_run_id");
        await act.Should().ThrowAsync<MlopsValidationException>();
        fake1.Server.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Cancel_sets_failed_retry_clears_for_real_and_delete_removes(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;
        var run = await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "c:1+x" });
        fake.Tick();

        await backend.Runs.CancelAsync(run);
        var cancelled = await backend.Runs.GetAsync(run);
        var retried = await backend.Runs.RetryAsync(run);
        await backend.Runs.DeleteAsync(run);
        var act = () => backend.Runs.GetAsync(run);

        cancelled.Status.Should().Be(RunStatus.Failed, "Airflow has no cancelled state");
        retried.Status.Should().Be(RunStatus.Queued);
        await act.Should().ThrowAsync<MlopsNotFoundException>();
        var p = $"{P(dialect)}/dags/train/dagRuns/c%3A1%2Bx";
        var writes = fake.Server.Requests.Where(r => r.Method != "GET" && r.Path != "/auth/token").Skip(1).Select(r => $"{r.Method} {r.Body}").ToList();
        writes.Should().Equal("""PATCH {"state":"failed"}""", """POST {"dry_run":false}""", "DELETE ");
        fake.RawTargets.Should().Contain([p, p + "/clear"]);
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Unknown_objects_are_not_found_and_invalid_input_is_a_validation_error(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;

        (await FluentActions.Awaiting(() => backend.Pipelines.GetAsync("nope")).Should().ThrowAsync<MlopsNotFoundException>()).Which.Status.Should().Be(404);
        await FluentActions.Awaiting(() => backend.Pipelines.TriggerAsync("nope")).Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => backend.Runs.GetAsync("train/none")).Should().ThrowAsync<MlopsNotFoundException>();
        var sent = fake.Server.Requests.Count;
        await FluentActions.Awaiting(() => backend.Runs.GetAsync("not-an-airflow-id")).Should().ThrowAsync<MlopsNotFoundException>();
        fake.Server.Requests.Count.Should().Be(sent, "a malformed id is rejected before sending");
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Delete_dag_and_get_by_display_name_or_id(FakeDialect dialect)
    {
        await using var h = await StartAsync(dialect);
        var (fake, backend) = h;

        var byId = await backend.Pipelines.GetByNameAsync("report");
        await backend.Pipelines.DeleteAsync("report");
        var afterDelete = () => backend.Pipelines.GetByNameAsync("report");

        byId.Id.Should().Be("report");
        await afterDelete.Should().ThrowAsync<MlopsNotFoundException>();
        fake.Server.Requests.Where(r => r.Path != "/auth/token").Select(r => $"{r.Method} {r.Path}").Should().Equal(
            $"GET {P(dialect)}/dags/report", $"DELETE {P(dialect)}/dags/report", $"GET {P(dialect)}/dags/report", $"GET {P(dialect)}/dags");
    }

    [Theory]
    [InlineData("2.10.3", "/api/v1/dags/train")]
    [InlineData("3.1.0", "/api/v2/dags/train")]
    public async Task Auto_with_a_base_path_reads_the_major_version(string version, string expectedPath)
    {
        var dialect = version.StartsWith('2') ? FakeDialect.V1 : FakeDialect.V2;
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect });
        await using var _ = fake;
        fake.AddDag("train", ["t"]);
        using var sp = AirflowHost.ForFake(fake, dialect, b => b.Settings["ApiBasePath"] = fake.Prefix, apiVersion: "auto");

        var health = await sp.Backend().CheckHealthAsync();
        await sp.Backend().Pipelines.GetAsync("train");

        health.ServerVersion.Should().Be(version);
        fake.Server.Requests.Where(r => r.Path != "/auth/token").Select(r => r.Path).Should().Equal($"{fake.Prefix}/version", $"{fake.Prefix}/version", expectedPath);
    }

    [Fact]
    public async Task Auto_detects_v1_once_from_the_missing_v2_version_endpoint()
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V1 });
        await using var _ = fake;
        fake.AddDag("train", ["t"]);
        using var sp = AirflowHost.Build(fake.BaseUri, "auto", b => { b.Auth.Type = "Basic"; b.Auth.Username = "admin"; b.Auth.Password = "admin"; });
        var backend = sp.Backend();

        await backend.Pipelines.GetAsync("train");
        await backend.Pipelines.ListAsync().ToListAsync();
        var health = await backend.CheckHealthAsync();

        health.IsHealthy.Should().BeTrue();
        health.ServerVersion.Should().Be("2.10.3");
        fake.Server.Requests.Select(r => r.Path).Should().Equal("/api/v2/version", "/api/v1/dags/train", "/api/v1/dags", "/api/v1/version");
    }

    [Fact]
    public async Task Auto_detects_v2_from_its_version_endpoint()
    {
        var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = FakeDialect.V2 });
        await using var _ = fake;
        fake.AddDag("train", ["t"]);
        using var sp = AirflowHost.ForFake(fake, FakeDialect.V2, apiVersion: "auto");

        var dag = await sp.Backend().Pipelines.GetAsync("train");

        dag.Native!.Value.TryGetProperty("is_stale", out var stale).Should().BeTrue(stale.ToString());
        fake.Server.Requests.Select(r => r.Path).Should().Equal("/api/v2/version", "/auth/token", "/api/v2/dags/train");
        fake.Server.Requests[0].Header("Authorization").Should().BeNull("the probe asks the public version endpoint without logging in");
    }

    [Fact]
    public async Task Wrong_basic_credentials_on_v1_are_an_authentication_error_naming_the_user()
    {
        await using var h = await StartAsync(FakeDialect.V1, tweak: b => b.Auth.Password = "s3cr3t-pw");
        var (fake, backend) = h;

        var e = (await FluentActions.Awaiting(() => backend.Pipelines.GetAsync("train")).Should().ThrowAsync<MlopsAuthenticationException>()).Which;

        e.Status.Should().Be(403);
        e.Message.Should().Contain("'admin'").And.NotContain("s3cr3t-pw");
        fake.Server.Requests.Single().Header("Authorization").Should().StartWith("Basic ");
    }

    [Theory]
    [InlineData("v2", "Basic", "Auth:Type Basic does not work with Airflow 3")]
    [InlineData("v1", "TokenExchange", "Airflow 2 (ApiVersion v1), which has no /auth/token")]
    [InlineData("v3", "None", "ApiVersion must be v1, v2 or auto")]
    public void Start_up_validation_rejects_settings_that_cannot_work(string apiVersion, string auth, string message)
    {
        using var sp = AirflowHost.Build(new Uri("http://127.0.0.1:1/"), apiVersion, b => { b.Auth.Type = auth; b.Auth.Username = "u"; b.Auth.Password = "p"; });

        var act = () => sp.GetRequiredService<IOptions<MlopsGatewayOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(message).And.Contain("Mlops:Backends:af");
    }

    [Fact]
    public async Task Tracking_models_and_upload_are_not_supported_and_send_nothing()
    {
        await using var h = await StartAsync(FakeDialect.V1);
        var (fake, backend) = h;

        (await FluentActions.Awaiting(() => backend.Runs.StartAsync("exp")).Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("MLflow");
        (await FluentActions.Awaiting(() => backend.Models.GetModelAsync("m")).Should().ThrowAsync<MlopsNotSupportedException>()).Which.Message.Should().Contain("MLflow");
        (await FluentActions.Awaiting(() => backend.Pipelines.UploadAsync(new PipelineUpload { Name = "x", Content = new MemoryStream() })).Should().ThrowAsync<MlopsNotSupportedException>())
            .Which.Message.Should().Contain("DAGs folder");
        FluentActions.Invoking(() => backend.Runs.ListAsync(new RunQuery { NativeFilter = "x" })).Should().Throw<MlopsNotSupportedException>();
        backend.Capabilities.Supports(MlopsCapability.RunTracking).Should().BeFalse();
        backend.Capabilities.Supports(MlopsCapability.ModelRegistry).Should().BeFalse();
        backend.Capabilities.Supports(MlopsCapability.PipelineUpload).Should().BeFalse();
        backend.Kind.Should().Be("Airflow");
        fake.Server.Requests.Should().BeEmpty();
    }
}

/// <summary>Listing a task instance's tries through <see cref="AirflowTaskTries"/>, per dialect.</summary>
public sealed class TaskTriesWireTests
{
    private static string P(FakeDialect d) => d == FakeDialect.V1 ? "/api/v1" : "/api/v2";

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task Tries_of_a_retried_task_come_back_one_per_attempt_from_the_tries_endpoint(FakeDialect dialect)
    {
        await using var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect });
        fake.AddDag("train", ["prepare", "fit"]);
        using var sp = AirflowHost.ForFake(fake, dialect);
        var backend = sp.Backend();
        var run = await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "t:1+x" });
        fake.CompleteRun("train", "t:1+x", succeed: false);
        await backend.Runs.RetryAsync(run);
        fake.CompleteRun("train", "t:1+x", succeed: true);
        var before = fake.Server.Requests.Count;

        var tries = await backend.GetService<AirflowTaskTries>()!.ListAsync(run, "prepare");

        var sent = fake.Server.Requests.Skip(before).Should().ContainSingle().Which;
        sent.Method.Should().Be("GET");
        fake.RawTargets[^1].Should().Be($"{P(dialect)}/dags/train/dagRuns/t%3A1%2Bx/taskInstances/prepare/tries", "no paging parameters: neither server pages this listing");
        sent.Header("Accept").Should().Be("application/json");
        tries.Select(t => (t.Attempt, t.Status, t.RawStatus)).Should().Equal((1, RunStatus.Failed, "failed"), (2, RunStatus.Succeeded, "success"));
        tries.Should().AllSatisfy(t =>
        {
            t.Id.Should().Be("prepare");
            t.RunId.Should().Be(run.Id);
            t.Backend.Should().Be(AirflowHost.Name);
            t.StartTime.Should().NotBeNull();
            t.EndTime.Should().NotBeNull();
        });
        tries[0].Native!.Value.GetProperty("try_number").GetInt32().Should().Be(1);
        var fit = await backend.GetService<AirflowTaskTries>()!.ListAsync(run, "fit");
        fit.Select(t => (t.Attempt, t.Status)).Should().Equal([(1, RunStatus.Succeeded)], "fit never started before the retry (upstream_failed, try 0 is not recorded)");
    }

    [Theory]
    [InlineData(FakeDialect.V1)]
    [InlineData(FakeDialect.V2)]
    public async Task A_mapped_instance_uses_the_map_index_path_and_an_unknown_one_is_not_found(FakeDialect dialect)
    {
        await using var fake = await AirflowFake.StartAsync(new AirflowFakeOptions { Dialect = dialect });
        fake.AddDag("train", ["prepare"]);
        using var sp = AirflowHost.ForFake(fake, dialect);
        var backend = sp.Backend();
        var run = await backend.Pipelines.TriggerAsync("train", new TriggerOptions { RunId = "m1" });
        var tries = backend.GetService<AirflowTaskTries>()!;

        // v2 answers 404; v1 (Airflow 2.10) answers 200 with no tries, reported the same way.
        await FluentActions.Awaiting(() => tries.ListAsync(run, "prepare/3")).Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => tries.ListAsync(run, "nope")).Should().ThrowAsync<MlopsNotFoundException>();
        var sent = fake.Server.Requests.Count;
        await FluentActions.Awaiting(() => tries.ListAsync("not-an-airflow-id", "prepare")).Should().ThrowAsync<MlopsNotFoundException>();

        fake.RawTargets.Should().Contain([$"{P(dialect)}/dags/train/dagRuns/m1/taskInstances/prepare/3/tries", $"{P(dialect)}/dags/train/dagRuns/m1/taskInstances/nope/tries"]);
        fake.Server.Requests.Count.Should().Be(sent, "a malformed run id is rejected before sending");
    }

    [Fact]
    public async Task V1_reads_the_specs_list_name_too_and_keeps_the_recorded_try_over_an_up_for_retry_duplicate()
    {
        // The v1 spec calls the list task_instances_history (Airflow 2.10 sends task_instances); Airflow 2 also
        // lists the current instance after its history, even while it is up_for_retry with the failed try's number.
        await using var server = FakeServer.Start().Route("GET", "/api/v1/dags/d/dagRuns/r/taskInstances/t/tries", _ => FakeResponse.JsonText(200, """
            {"task_instances_history": [
              {"task_id": "t", "dag_id": "d", "dag_run_id": "r", "map_index": -1, "try_number": 1, "state": "failed", "start_date": "2026-11-22T05:00:00+00:00", "end_date": "2026-11-22T05:00:01+00:00"},
              {"task_id": "t", "dag_id": "d", "dag_run_id": "r", "map_index": -1, "try_number": 1, "state": "up_for_retry", "start_date": null, "end_date": null}
            ], "total_entries": 2}
            """));
        using var sp = AirflowHost.Build(server.BaseUri, "v1");

        var tries = await sp.Backend().GetService<AirflowTaskTries>()!.ListAsync("d/r", "t");

        tries.Should().ContainSingle().Which.Should().Match<TaskRun>(t => t.Attempt == 1 && t.Status == RunStatus.Failed && t.StartTime == new DateTimeOffset(2026, 11, 22, 5, 0, 0, TimeSpan.Zero));
        server.Requests.Should().ContainSingle().Which.Path.Should().Be("/api/v1/dags/d/dagRuns/r/taskInstances/t/tries");
    }
}
