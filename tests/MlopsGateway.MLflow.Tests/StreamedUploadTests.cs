using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.MLflow.Tests;

/// <summary>An artifact upload goes to the wire as the caller's stream: nothing reads it whole before the transport does.</summary>
public sealed class StreamedUploadTests
{
    [Fact]
    public async Task An_upload_reaches_the_transport_unread_so_it_is_streamed_not_buffered()
    {
        var source = new CountingStream(new byte[1 << 20]);
        var transport = new UploadTransport(source);
        var services = new ServiceCollection();
        var gateway = services.AddMlopsGateway(o => o.Backends["ml"] = new BackendOptions { Type = "mlflow", BaseUrl = "http://mlflow.test:5000" }).AddMLflow();
        gateway.HttpClient("ml").ConfigurePrimaryHttpMessageHandler(() => transport);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IMlopsBackend>("ml").Runs.UploadArtifactAsync("r1", "model/weights.bin", source);

        transport.ReadBeforeSend.Should().Be(0, "a buffered upload would have been read whole before the request was sent");
        transport.Received.Should().Be(1 << 20);
        transport.ContentType.Should().Be("StreamContent");
    }

    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Counted(base.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(base.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Counted(await base.ReadAsync(buffer, cancellationToken));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Counted(await base.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
        {
            BytesRead += Length - Position;
            return base.CopyToAsync(destination, bufferSize, cancellationToken);
        }

        private int Counted(int read)
        {
            BytesRead += read;
            return read;
        }
    }

    /// <summary>Answers runs/get with an artifact root and, for the upload PUT, notes how much of the source was read before it arrived.</summary>
    private sealed class UploadTransport(CountingStream source) : HttpMessageHandler
    {
        public long ReadBeforeSend { get; private set; } = -1;

        public long Received { get; private set; }

        public string? ContentType { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                return Json("""{"run":{"info":{"run_id":"r1","experiment_id":"0","status":"RUNNING","artifact_uri":"mlflow-artifacts:/0/r1/artifacts"},"data":{}}}""");
            }
            ReadBeforeSend = source.BytesRead;
            ContentType = request.Content?.GetType().Name;
            Received = (await request.Content!.ReadAsByteArrayAsync(cancellationToken)).Length;
            return Json("{}");
        }

        private static HttpResponseMessage Json(string body)
            => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}
