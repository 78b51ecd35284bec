using System.Diagnostics;
using MlopsGateway.Testing;

namespace MlopsGateway.Reliability.Tests;

/// <summary>One cell while it runs: the fake, the clock, the service, the request under fault, and what the cell observed.</summary>
internal sealed class Cell(ServiceUnderTest service, Fault fault, FakeServer server, WatchedTimeProvider clock)
{
    public const string BackendName = "svc";

    /// <summary>Where every cell's clock starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public ServiceUnderTest Service { get; } = service;
    public Fault Fault { get; } = fault;
    public FakeServer Server { get; } = server;
    public WatchedTimeProvider Clock { get; } = clock;
    public DateTimeOffset Started { get; } = clock.GetUtcNow();

    /// <summary>The request the fault hits (the service's target, or its create for create rows).</summary>
    public (string Method, string Path) Target => Fault.UsesCreate ? (Service.Create!.Method, Service.Create.Path) : Service.Target;

    /// <summary>The operation's span name.</summary>
    public string Operation => Fault.UsesCreate ? Service.Create!.Operation : Service.Operation;

    /// <summary>Overrides of the backend's BaseUrl or auth, set by the fault.</summary>
    public Action<BackendOptions>? ConfigureBackend { get; set; }

    /// <summary>A token file the cell's TokenFile auth reads.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Counts the response bytes the gateway pulled off the connection (set by faults that bound memory).</summary>
    public ByteTally? Bytes { get; set; }

    /// <summary>The caller's token source (the cancellation row cancels it).</summary>
    public CancellationTokenSource Caller { get; } = new();

    private int _stalls;

    /// <summary>
    /// How many answers the fault has started to hold back. The driver gives each its attempt timeout only once the
    /// fault's mapping has taken the request (not when it arrives), so a re-sent attempt cannot overtake the stalled one
    /// to the mapping and stall in its place.
    /// </summary>
    public int Stalls => Volatile.Read(ref _stalls);

    /// <summary>Called by a fault's mapping as it starts holding an answer back.</summary>
    public void StallBegan() => Interlocked.Increment(ref _stalls);

    public Activity? OperationSpan { get; set; }

    public Exception? Thrown { get; set; }

    public int TargetArrivals => Server.ArrivalsAt(Target.Method, Target.Path);

    public IReadOnlyList<RecordedRequest> TargetRequests => Server.Requests.Where(r => r.Method == Target.Method && r.Path == Target.Path).ToArray();

    public IReadOnlyList<ActivityEvent> Retries => OperationSpan?.Events.Where(e => e.Name == MlopsTelemetry.RetryEventName).ToArray() ?? [];

    public TimeSpan Elapsed => Clock.GetUtcNow() - Started;
}

/// <summary>The body bytes read from the network across a backend's clients.</summary>
internal sealed class ByteTally
{
    private long _bytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}

/// <summary>A handler a test adds to a backend's client, as an application would, that counts body bytes read from the network.</summary>
internal sealed class ReadCounter(ByteTally tally) : DelegatingHandler
{

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var inner = response.Content;
        response.Content = new CountingContent(inner, tally);
        return response;
    }

    private sealed class CountingContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly ByteTally _counter;

        public CountingContent(HttpContent inner, ByteTally counter)
        {
            _inner = inner;
            _counter = counter;
            foreach (var (name, values) in inner.Headers)
            {
                Headers.TryAddWithoutValidation(name, values);
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
            => new CountingStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _counter);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            await using var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class CountingStream(Stream inner, ByteTally counter) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            counter.Add(read);
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
