using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using MlopsGateway.Airflow.Tests.Fake;
using MlopsGateway.Airflow.Api;
using MlopsGateway.Http;

namespace MlopsGateway.Airflow.Tests;

/// <summary>Log content, continuation tokens, ids, states and v2 error bodies, decoded in isolation.</summary>
public sealed class ParsingTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("say \"hi\"")]
    [InlineData("both ' and \"")]
    [InlineData("tab\tnew\nline\r\\back\u0001ctl é ✓")]
    [InlineData("")]
    public void Python_repr_of_host_tuples_round_trips(string text)
    {
        var repr = $"[({AirflowFake.PyRepr("vm")}, {AirflowFake.PyRepr(text)}), ('other', 'x\\ny')]";

        TaskLogContent.TryParsePythonHostTuples(repr, out var parts).Should().BeTrue(repr);

        parts.Should().Equal(("vm", text), ("other", "x\ny"));
        TaskLogContent.ToText(JsonSerializer.SerializeToElement(repr, AirflowJsonContext.Default.String)).Should().Be(text + "x\ny");
    }

    [Theory]
    [InlineData("*** plain text log")]
    [InlineData("[('vm', 'unterminated)]")]
    [InlineData("[('vm')]")]
    public void Content_that_is_not_a_host_tuple_list_is_passed_through(string raw)
    {
        TaskLogContent.TryParsePythonHostTuples(raw, out _).Should().BeFalse();
        TaskLogContent.ToText(JsonSerializer.SerializeToElement(raw, AirflowJsonContext.Default.String)).Should().Be(raw);
    }

    [Fact]
    public void V2_structured_messages_become_their_event_lines()
    {
        var content = JsonDocument.Parse("""[{"timestamp":"2026-01-01T00:00:00Z","event":"first","level":"info"},"plain string",{"event":"last"}]""").RootElement;

        TaskLogContent.Lines(TaskLogContent.ToText(content)).Should().Equal("first", "plain string", "last");
    }

    [Fact]
    public void Tokens_decode_plain_and_zlib_compressed_payloads_and_v2_null_means_end()
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var json = Encoding.UTF8.GetBytes("""{"end_of_log":false,"log_pos":12}""");
        using var buffer = new MemoryStream();
        using (var z = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(json);
        }

        TaskLogContent.DecodeToken(B64(json) + ".sig")!.LogPos.Should().Be(12);
        TaskLogContent.IsEndOfLog("." + B64(buffer.ToArray()) + ".sig").Should().BeFalse();
        TaskLogContent.IsEndOfLog("eyJlbmRfb2ZfbG9nIjp0cnVlLCJsb2dfcG9zIjowfQ.qYcCOQHYfZdjXOG4omlvX-gpP3M").Should().BeTrue();
        TaskLogContent.IsEndOfLog(null).Should().BeTrue();
        TaskLogContent.IsEndOfLog("opaque").Should().BeNull();
    }

    [Theory]
    [InlineData("train", "manual__2026-11-22T10:00:00+00:00", "train/manual__2026-11-22T10%3A00%3A00%2B00%3A00")]
    [InlineData("a.b-c", "x/y z%", "a.b-c/x%2Fy%20z%25")]
    public void Run_ids_encode_each_part_and_round_trip(string dagId, string dagRunId, string expected)
    {
        var id = AirflowMapping.RunId(dagId, dagRunId);

        id.Should().Be(expected);
        AirflowMapping.TryParseRunId(id, out var d, out var r).Should().BeTrue();
        (d, r).Should().Be((dagId, dagRunId));
    }

    [Theory]
    [InlineData("no-slash")]
    [InlineData("a/b/c")]
    [InlineData("/b")]
    [InlineData("a/")]
    public void Malformed_run_ids_are_refused(string id) => AirflowMapping.TryParseRunId(id, out _, out _).Should().BeFalse();

    [Theory]
    [InlineData(null, RunStatus.Queued)]
    [InlineData("none", RunStatus.Queued)]
    [InlineData("scheduled", RunStatus.Queued)]
    [InlineData("queued", RunStatus.Queued)]
    [InlineData("running", RunStatus.Running)]
    [InlineData("up_for_retry", RunStatus.Running)]
    [InlineData("up_for_reschedule", RunStatus.Running)]
    [InlineData("deferred", RunStatus.Running)]
    [InlineData("restarting", RunStatus.Running)]
    [InlineData("success", RunStatus.Succeeded)]
    [InlineData("failed", RunStatus.Failed)]
    [InlineData("upstream_failed", RunStatus.Failed)]
    [InlineData("skipped", RunStatus.Skipped)]
    [InlineData("removed", RunStatus.Skipped)]
    [InlineData("sensing", RunStatus.Unknown)]
    public void Task_states_map_as_designed(string? state, RunStatus expected) => AirflowMapping.TaskState(state).Should().Be(expected);

    [Fact]
    public void Mapped_task_ids_carry_the_map_index()
    {
        AirflowMapping.TaskRunId("fit", -1).Should().Be("fit");
        AirflowMapping.ParseTaskRunId(AirflowMapping.TaskRunId("group.fit", 3)).Should().Be(("group.fit", 3));
        AirflowMapping.ParseTaskRunId("fit").Should().Be(("fit", -1));
    }

    [Fact]
    public void A_unique_key_409_says_what_collided_without_the_SQL_statement()
    {
        var parsed = new AirflowErrorParser("admin").Parse(HttpStatusCode.Conflict, "application/json",
            """{"detail":{"reason":"Unique constraint violation","statement":"INSERT INTO dag_run (dag_id, run_id) VALUES (?, ?)","orig_error":"UNIQUE constraint failed: dag_run.dag_id, dag_run.run_id"}}""");

        parsed.Should().Be(new BackendError("Unique constraint violation", "Unique constraint violation: UNIQUE constraint failed: dag_run.dag_id, dag_run.run_id"));
    }

    [Theory]
    [InlineData(403, """{"detail":"Invalid JWT token"}""", MlopsErrorKind.Authentication)]
    [InlineData(403, """{"detail":"Forbidden"}""", null)]
    [InlineData(401, """{"detail":"Token Expired"}""", null)]
    public void A_403_for_a_token_Airflow_cannot_verify_is_an_authentication_failure(int status, string body, MlopsErrorKind? kind)
        => new AirflowErrorParser("admin").Parse((HttpStatusCode)status, "application/json", body).Kind.Should().Be(kind);

    [Theory]
    [InlineData(404, """{"error": "invalid route"}""", MlopsErrorKind.EndpointNotFound)]
    [InlineData(405, """{"detail": "Method Not Allowed"}""", MlopsErrorKind.EndpointNotFound)]
    [InlineData(405, """{"detail": "The method is not allowed for the requested URL.", "status": 405, "title": "Method Not Allowed", "type": "about:blank"}""", MlopsErrorKind.EndpointNotFound)]
    [InlineData(404, """{"detail": "Dag with id no_such_dag was not found"}""", null)]
    [InlineData(404, """{"detail": "DAG with dag_id: 'x' not found", "status": 404, "title": "DAG not found", "type": "https://airflow.apache.org/docs/apache-airflow/2.10.3/stable-rest-api-ref.html#section/Errors/NotFound"}""", null)]
    [InlineData(500, """{"error": "boom"}""", null)]
    public void A_route_the_server_lacks_is_endpoint_not_found_and_a_missing_object_is_left_to_the_status(int status, string body, MlopsErrorKind? kind)
        => new AirflowErrorParser("admin").Parse((HttpStatusCode)status, "application/json", body).Kind.Should().Be(kind);

    [Fact]
    public void V2_error_bodies_give_messages_codes_and_leave_the_kind_to_the_status()
    {
        var parser = new AirflowErrorParser("admin");

        var validation = parser.Parse((HttpStatusCode)422, "application/json",
            """{"detail":[{"loc":["body","logical_date"],"msg":"Field required","type":"missing","input":{},"ctx":{}},{"loc":["query","limit",0],"msg":"bad","type":"x"}]}""");
        var conflict = parser.Parse(HttpStatusCode.Conflict, "application/json",
            """{"detail":{"reason":"Unique constraint violation","statement":"hidden","orig_error":"hidden","message":"Serialized DAG run already exists"}}""");
        var expired = parser.Parse(HttpStatusCode.Unauthorized, "application/json", """{"detail":"Token Expired"}""");
        var html = parser.Parse(HttpStatusCode.NotFound, "text/html", "<html><body>Not Found</body></html>");

        validation.Message.Should().Be("Airflow rejected the request: body.logical_date: Field required; query.limit.0: bad");
        validation.Kind.Should().BeNull();
        validation.Code.Should().Be("missing", "a 422's first item type is the error code");
        conflict.Should().Be(new BackendError("Unique constraint violation", "Serialized DAG run already exists"));
        expired.Message.Should().Be("Token Expired");
        html.Message.Should().Contain("non-JSON").And.Contain("Not Found");
    }
}
