using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>
/// Answers streamed to the caller (a download) outlive the attempt, so the attempt timeout cannot cover them: each
/// read waits at most <c>Resilience:StreamReadTimeout</c> on the gateway's clock and a stalled or broken body fails typed.
/// </summary>
public sealed class StreamedAnswerTests
{
    private const string RunId = "e7beb677700c4a478e60ed0d027f0b92";
    private static readonly TimeSpan s_readTimeout = TimeSpan.FromSeconds(45);

    [SharedFact]
    public async Task A_download_that_stalls_after_its_first_bytes_fails_typed_after_StreamReadTimeout()
    {
        await using var server = FakeServer.Start();
        server.ServeRecording(Services.MLflowRecording)
            .Route("GET", "/api/2.0/mlflow-artifacts/artifacts/{**path}", _ => new FakeResponse
            {
                Headers = [new("Content-Type", "application/octet-stream")],
                Streamed = async (body, stopping) =>
                {
                    body.Write("first bytes");
                    await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                    body.Write(null);
                },
            });
        var clock = new WatchedTimeProvider(Cell.Start);
        await using var provider = Gateway(server, clock);
        var backend = provider.GetRequiredService<IMlopsBackend>();

        await using var stream = await backend.Runs.DownloadArtifactAsync(RunId, "model/weights.bin");
        var buffer = new byte[64];
        var first = await stream.ReadAsync(buffer);
        var next = stream.ReadAsync(buffer).AsTask();
        await Eventually.TrueAsync(() => clock.PendingDelays.Contains(s_readTimeout), "the read waits for the next bytes");
        clock.Advance(s_readTimeout);

        first.Should().BeGreaterThan(0, "the bytes that arrived are read");
        var thrown = (await next.Invoking(t => t).Should().ThrowExactlyAsync<MlopsUnavailableException>()).Which;
        thrown.Backend.Should().Be("svc");
        thrown.Operation.Should().Be("Runs.DownloadArtifact", "the exception names the operation that opened the stream");
        thrown.Message.Should().Contain("StreamReadTimeout");
    }

    [SharedFact]
    public async Task A_download_whose_connection_resets_mid_body_fails_typed()
    {
        await using var server = FakeServer.Start();
        server.ServeRecording(Services.MLflowRecording)
            .Route("GET", "/api/2.0/mlflow-artifacts/artifacts/{**path}", _ => FakeResponse.Text(200, new string('x', 256 * 1024), "application/octet-stream")
                .WithHeader(FakeServer.ResetAfterBytesHeader, "1000"));
        // Without retries: on loopback the reset may overtake the headers, and a retried GET would then wait on the fake clock.
        await using var provider = Gateway(server, new WatchedTimeProvider(Cell.Start), retries: 0);
        var backend = provider.GetRequiredService<IMlopsBackend>();

        var read = async () =>
        {
            await using var stream = await backend.Runs.DownloadArtifactAsync(RunId, "model/weights.bin");
            await stream.CopyToAsync(Stream.Null);
        };

        var thrown = (await read.Should().ThrowExactlyAsync<MlopsUnavailableException>()).Which;
        thrown.Backend.Should().Be("svc");
        thrown.Operation.Should().Be("Runs.DownloadArtifact");
    }

    private static ServiceProvider Gateway(FakeServer server, WatchedTimeProvider clock, int retries = 3)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddMlopsGateway(o => o.Backends["svc"] = new BackendOptions
        {
            Type = "MLflow",
            BaseUrl = server.BaseUri.ToString(),
            Resilience = new ResilienceOptions { StreamReadTimeout = s_readTimeout, MaxRetryAttempts = retries },
        }).AddMLflow();
        return services.BuildServiceProvider();
    }
}
