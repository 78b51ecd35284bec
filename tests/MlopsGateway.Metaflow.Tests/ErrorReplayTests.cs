using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using MlopsGateway.Http;
using MlopsGateway.Metaflow.Api;
using MlopsGateway.Testing;

namespace MlopsGateway.Metaflow.Tests;

/// <summary>
/// Every recorded real response, served byte for byte (status, content type, body), goes through the
/// core's send helper with the adapter's error parser: successes parse into the adapter's types, errors map
/// to the right exception with a readable message and the backend's code.
/// </summary>
public sealed class ErrorReplayTests
{
    [SharedFact]
    public async Task Every_recorded_response_parses_or_maps_to_the_right_exception()
    {
        var exchanges = RecordedWire.All;
        RecordedExchange? current = null;
        await using var server = await LoopbackServer.StartAsync(app => app.Run(async ctx =>
        {
            var e = current!;
            ctx.Response.StatusCode = e.Status;
            ctx.Response.ContentType = e.ResponseHeader("Content-Type") ?? "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync(RecordedWire.RawBody(e));
        }));
        var context = new BackendContext("mf", new BackendOptions { Type = "Metaflow", BaseUrl = server.BaseUri.ToString() });
        var http = new BackendHttp(context, new MetaflowErrorParser(), () => new HttpClient { BaseAddress = server.BaseUri });

        var errors = 0;
        foreach (var e in exchanges)
        {
            current = e;
            var request = new HttpRequestMessage(new HttpMethod(e.Method), e.Path.TrimStart('/'));
            if (e.Status is >= 200 and < 300)
            {
                if (RecordedWire.TypeOf(e) is { } type)
                {
                    var element = await http.SendAsync(request, MetaflowJsonContext.Default.JsonElement, CancellationToken.None);
                    element.Deserialize(type).Should().NotBeNull(e.ToString());
                }
                else
                {
                    (await http.SendForTextAsync(request, CancellationToken.None)).Should().Be(e.ResponseText, e.ToString());
                }
                continue;
            }
            errors++;
            var act = () => http.SendAsync(request, CancellationToken.None);
            var thrown = (await act.Should().ThrowAsync<MlopsException>(e.ToString())).Which;
            thrown.GetType().Should().Be(ExpectedException(e), e.ToString());
            thrown.Status.Should().Be(e.Status);
            thrown.Message.Should().NotContain("Traceback", "tracebacks stay out of messages").And.NotContain("File \"/data");
            if (e.ResponseText.Contains("pgcode", StringComparison.Ordinal))
            {
                thrown.ErrorCode.Should().MatchRegex("^235\\d\\d$", e.ToString());
                thrown.Message.Should().Contain("Key (", "the DETAIL line names the clashing key");
            }
        }
        errors.Should().BeGreaterThan(25);
    }

    /// <summary>The exception each recorded error must become (by case, not by a copy of the mapping code).</summary>
    private static Type ExpectedException(RecordedExchange e) => (e.Id, e.Status) switch
    {
        ("step-create-missing-run", 500) => typeof(MlopsNotFoundException), // 2.5.1's KeyError 'run_number': the run is missing
        ("err-unknown-route", 404) or ("err-put-run", 405) => typeof(MlopsEndpointNotFoundException), // aiohttp's plain-text page: no such route
        (_, 404) => typeof(MlopsNotFoundException),
        (_, 409) => typeof(MlopsConflictException),
        (_, 400 or 422) => typeof(MlopsValidationException),
        (_, 500) => typeof(MlopsUnavailableException),
        _ => throw new InvalidOperationException($"No expectation for {e}"),
    };

    [Theory]
    [InlineData(409, "\"{\\\"err_msg\\\": {\\\"pgerror\\\": \\\"ERROR:  duplicate key value violates unique constraint \\\\\\\"flows_v3_pkey\\\\\\\"\\\\nDETAIL:  Key (flow_id)=(F) already exists.\\\\n\\\", \\\"pgcode\\\": \\\"23505\\\", \\\"diag\\\": {\\\"message_primary\\\": \\\"duplicate key\\\", \\\"severity\\\": \\\"ERROR\\\"}}}\"", "23505", "Key (flow_id)=(F) already exists.")]
    [InlineData(422, "\"Cannot remove tags that are existing system tags {'user:alice'}\"", null, "Cannot remove tags that are existing system tags {'user:alice'}")]
    [InlineData(500, "500 Internal Server Error\n\nServer got itself in trouble", null, "500 Internal Server Error Server got itself in trouble")]
    [InlineData(400, "{\"message\": \"need to register run_id and task_id first\"}", null, "need to register run_id and task_id first")]
    [InlineData(404, "{}", null, "not found")]
    [InlineData(500, "{\"err_msg\": {\"type\": \"timeout error\"}}", null, "timeout error")]
    public void Error_bodies_read_leniently(int status, string body, string? code, string message)
    {
        var parsed = new MetaflowErrorParser().Parse((System.Net.HttpStatusCode)status, "text/plain", body);
        parsed.Code.Should().Be(code);
        parsed.Message.Should().Contain(message);
    }

    [Fact]
    public void A_concurrent_tag_mutation_clash_is_a_conflict()
    {
        var parsed = new MetaflowErrorParser().Parse(System.Net.HttpStatusCode.Conflict, "text/plain", JsonSerializer.Serialize("Conflicting concurrent tag mutation, please retry"));
        parsed.Message.Should().Be("Conflicting concurrent tag mutation, please retry");
        parsed.Kind.Should().BeNull("409 already maps to Conflict by status");
    }
}
