using System.Net;
using System.Net.Sockets;
using MlopsGateway.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace MlopsGateway.Reliability.Tests;

/// <summary>The WireMock-hosted test server keeps what the fakes and the fault matrix rely on.</summary>
public sealed class FakeServerTests
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Binds_127_0_0_1_on_a_port_the_OS_chose()
    {
        await using var one = FakeServer.Start();
        await using var two = FakeServer.Start();
        one.BaseUri.Host.Should().Be("127.0.0.1");
        one.BaseUri.Port.Should().BeGreaterThan(0).And.NotBe(two.BaseUri.Port);
        using var probe = new TcpClient();
        await probe.ConnectAsync(IPAddress.Loopback, one.BaseUri.Port);
        probe.Connected.Should().BeTrue();
    }

    [Fact]
    public async Task Routes_by_method_and_template_on_raw_segments_and_logs_the_raw_target()
    {
        await using var server = FakeServer.Start();
        server.Route("GET", "/dags/{dag}/dagRuns/{run}", r => FakeResponse.JsonText(200, $$"""{"dag": "{{r.Route("dag")}}", "run": "{{r.Route("run")}}", "q": "{{r.Query("b")}}"}"""));
        server.Route("PUT", "/files/{**path}", r => FakeResponse.Text(201, r.Route("path") + ":" + r.Body));

        var json = await s_client.GetStringAsync(new Uri(server.BaseUri, "dags/a%2Fb/dagRuns/manual__2024-01-01T00%3A00%3A00%2B00%3A00?a=1&b=x+y&b=2"));
        using var put = await s_client.PutAsync(new Uri(server.BaseUri, "files/dir/with%20space.txt"), new StringContent("hello"));

        json.Should().Be("""{"dag": "a/b", "run": "manual__2024-01-01T00:00:00+00:00", "q": "x y"}""");
        (await put.Content.ReadAsStringAsync()).Should().Be("dir/with space.txt:hello");
        var get = server.Requests[0];
        get.RawTarget.Should().Be("/dags/a%2Fb/dagRuns/manual__2024-01-01T00%3A00%3A00%2B00%3A00?a=1&b=x+y&b=2");
        get.Path.Should().Be("/dags/a%2Fb/dagRuns/manual__2024-01-01T00:00:00+00:00", "Path keeps the old meaning: Kestrel's decoded path");
        get.QueryPairs.Select(p => $"{p.Key}={p.Value}").Should().Equal("a=1", "b=x y", "b=2");
        get.Headers.Should().NotContainKey(FakeServer.RequestIdHeader);
        server.Requests[1].Body.Should().Be("hello");
    }

    [Fact]
    public async Task A_mapping_given_without_priority_wins_over_the_routes_and_unrouted_requests_get_404()
    {
        await using var server = FakeServer.Start();
        server.Route("GET", "/x", _ => FakeResponse.Text(200, "route"));
        server.Given(Request.Create().WithPath("/x").UsingGet()).InScenario("once").WillSetStateTo("served")
            .RespondWith(Response.Create().WithStatusCode(503));

        using var first = await s_client.GetAsync(new Uri(server.BaseUri, "x"));
        using var second = await s_client.GetAsync(new Uri(server.BaseUri, "x"));
        using var missing = await s_client.GetAsync(new Uri(server.BaseUri, "nowhere"));

        first.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await second.Content.ReadAsStringAsync()).Should().Be("route");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        server.Requests.Select(r => r.Path).Should().Equal("/x", "/x", "/nowhere");
    }

    [Fact]
    public async Task A_mapping_can_reset_the_connection_after_part_of_the_body()
    {
        await using var server = FakeServer.Start();
        server.Given(Request.Create().WithPath("/reset").UsingGet()).RespondWith(Response.Create()
            .WithStatusCode(200).WithHeader("Content-Type", "application/json").WithHeader(FakeServer.ResetAfterBytesHeader, "10")
            .WithBody("{\"run\": {\"info\": {\"run_id\": \"abc\"}}}"));

        var read = async () =>
        {
            using var response = await s_client.GetAsync(new Uri(server.BaseUri, "reset"), HttpCompletionOption.ResponseHeadersRead);
            return await response.Content.ReadAsStringAsync();
        };

        // On loopback the reset can overtake the headers already sent (the client then fails reading them): either
        // way the whole answer never arrives.
        await read.Should().ThrowAsync<HttpRequestException>();
        server.ArrivalsAt("GET", "/reset").Should().Be(1);
    }

    [Fact]
    public async Task A_route_can_reset_the_connection_before_any_answer_after_reading_the_request()
    {
        await using var server = FakeServer.Start();
        string? seen = null;
        server.Route("POST", "/reset", r =>
        {
            seen = r.Body;
            return FakeResponse.Empty(200).WithHeader(FakeServer.ResetBeforeResponseHeader, "1");
        });

        var send = async () => await s_client.PostAsync(new Uri(server.BaseUri, "reset"), new StringContent("acted on"));

        (await send.Should().ThrowAsync<HttpRequestException>()).Which.HttpRequestError.Should().NotBe(HttpRequestError.ConnectionError, "the request was sent and read");
        seen.Should().Be("acted on");
    }

    [Fact]
    public async Task A_body_sent_whole_carries_its_length_and_its_request_is_logged_before_the_client_has_it()
    {
        await using var server = FakeServer.Start();
        server.Route("GET", "/whole", _ => FakeResponse.JsonText(200, """{"a": 1}"""));
        server.Route("GET", "/streamed", _ => new FakeResponse { Streamed = (body, _) => { body.Write("[1,"); body.Write("2]"); return Task.CompletedTask; } });

        using var whole = await s_client.GetAsync(new Uri(server.BaseUri, "whole"), HttpCompletionOption.ResponseHeadersRead);
        var loggedOnArrival = server.Requests.Count;
        using var streamed = await s_client.GetAsync(new Uri(server.BaseUri, "streamed"));

        loggedOnArrival.Should().Be(1, "the answer is held until WireMock has logged its request");
        whole.Content.Headers.ContentLength.Should().Be(8);
        whole.Headers.TransferEncodingChunked.Should().NotBe(true);
        streamed.Headers.TransferEncodingChunked.Should().BeTrue("a streamed body's length is not known when it starts");
        (await streamed.Content.ReadAsStringAsync()).Should().Be("[1,2]");
    }

    [Fact]
    public async Task A_streamed_body_arrives_piece_by_piece_and_a_stalled_one_ends_when_the_server_stops()
    {
        var server = FakeServer.Start();
        var release = new TaskCompletionSource();
        server.Route("GET", "/stream", _ => new FakeResponse
        {
            Headers = [new("Content-Type", "application/json")],
            Streamed = async (body, stopping) =>
            {
                body.Write("[1,");
                await release.Task.WaitAsync(stopping);
                body.Write("2]");
            },
        });
        server.Route("GET", "/stall", _ => new FakeResponse { Streamed = (body, stopping) => { body.Write("[1,"); return Task.Delay(Timeout.Infinite, stopping); } });

        using var response = await s_client.GetAsync(new Uri(server.BaseUri, "stream"), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[16];
        var first = await stream.ReadAsync(buffer);
        System.Text.Encoding.UTF8.GetString(buffer, 0, first).Should().Be("[1,");
        release.SetResult();
        (await new StreamReader(stream).ReadToEndAsync()).Should().Be("2]");

        using var stalled = await s_client.GetAsync(new Uri(server.BaseUri, "stall"), HttpCompletionOption.ResponseHeadersRead);
        var rest = stalled.Content.ReadAsStringAsync();
        rest.IsCompleted.Should().BeFalse();
        await server.DisposeAsync();
        (await rest.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be("[1,");
    }
}
