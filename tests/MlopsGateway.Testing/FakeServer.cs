using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace MlopsGateway.Testing;

/// <summary>
/// A WireMock.Net server on 127.0.0.1 with an OS-chosen port — the one way tests host a fake backend or inject
/// faults. Stateful fakes add routes (<see cref="Route(string, string, Func{FakeRequest, FakeResponse})"/>) whose
/// handlers keep their logic on raw JSON; faults are WireMock's own mappings layered over the routes through
/// <see cref="Given"/> (<c>WithFault</c>, <c>WithDelay</c>, scenarios), which take precedence. Every request
/// lands in WireMock's request log, read back as <see cref="Requests"/> with the raw request target kept.
/// </summary>
/// <remarks>
/// WireMock 1.25 binds <c>http://127.0.0.1:0</c> itself (Kestrel's <c>Listen(127.0.0.1, 0)</c>, the port read back
/// from the server's addresses once started). WireMock's own request model decodes the path (and turns <c>+</c>
/// into a space), so a small middleware in front of it notes Kestrel's raw target and decoded path per request
/// and tags the request with <see cref="RequestIdHeader"/>; <see cref="Requests"/> and <see cref="FakeRequest"/>
/// read them back. The same middleware gives the faults WireMock lacks: a connection reset after part of the
/// body (<see cref="ResetAfterBytesHeader"/>) or before any of the answer (<see cref="ResetBeforeResponseHeader"/>).
/// </remarks>
public sealed class FakeServer : IDisposable, IAsyncDisposable
{
    /// <summary>The header the middleware adds to each request (and <see cref="Requests"/> hides) to find its raw target.</summary>
    public const string RequestIdHeader = "X-Fake-Request-Id";

    /// <summary>
    /// A response header a WireMock mapping sets (<c>.WithHeader(FakeServer.ResetAfterBytesHeader, "100")</c>) to have
    /// the connection reset after that many body bytes; the header itself is never sent.
    /// </summary>
    public const string ResetAfterBytesHeader = "X-Fake-Reset-After-Bytes";

    /// <summary>
    /// A response header a route or mapping sets (to any non-empty value: WireMock drops empty headers) to have the
    /// connection reset before any byte of the answer (the request was read, and may have been acted on; no status
    /// line goes out); the header itself is never sent.
    /// </summary>
    public const string ResetBeforeResponseHeader = "X-Fake-Reset-Before-Response";

    /// <summary>The priority of the routes' catch-all mapping: WireMock mappings given without a priority win over it.</summary>
    public const int RoutePriority = 1_000_000;

    private readonly ConcurrentDictionary<long, Arrival> _arrivals = new();
    private readonly ConcurrentDictionary<string, byte> _connections = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly FakeRouter _router = new();
    private long _nextId;

    private FakeServer(int? maxLoggedRequests)
    {
        WireMock = WireMockServer.Start(new WireMockServerSettings
        {
            MaxRequestLogCount = maxLoggedRequests,
            Urls = ["http://127.0.0.1:0"],
            StartAdminInterface = false,
            DisableJsonBodyParsing = true,
            DisableRequestBodyDecompressing = true,
            AllowBodyForAllHttpMethods = true,
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(NoteArrivalAsync),
        });
        BaseUri = new Uri(WireMock.Url!.TrimEnd('/') + "/");
        WireMock.Given(Request.Create().UsingAnyMethod())
            .AtPriority(RoutePriority)
            .RespondWith(Response.Create().WithCallback(async message =>
                (await _router.DispatchAsync(FakeRequest.From(message, this), Stopping).ConfigureAwait(false)).ToResponseMessage(Stopping)));
    }

    /// <summary>The server's base address with a trailing slash (e.g. <c>http://127.0.0.1:43123/</c>).</summary>
    public Uri BaseUri { get; }

    /// <summary>The WireMock server itself, for mappings, scenarios and its log.</summary>
    public WireMockServer WireMock { get; }

    /// <summary>Cancelled when the server stops: stalled answers (a slow or never-ending body) end with it.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>How many requests have reached the server, including those still being answered (not yet in <see cref="Requests"/>).</summary>
    public int Arrivals => _arrivals.Count;

    /// <summary>How many requests with <paramref name="method"/> to the decoded <paramref name="path"/> have reached the server, answered or not.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path as Kestrel decodes it.</param>
    public int ArrivalsAt(string method, string path)
        => _arrivals.Values.Count(a => string.Equals(a.Method, method, StringComparison.OrdinalIgnoreCase) && a.Path == path);

    /// <summary>
    /// The path (as Kestrel decodes it) of every request that has reached the server, in arrival order — including
    /// those still being answered, which <see cref="Requests"/> (WireMock's log) lists only once answered.
    /// </summary>
    public IReadOnlyList<string> ArrivedPaths => _arrivals.Values.OrderBy(a => a.Id).Select(a => a.Path).ToArray();

    /// <summary>Every request answered so far, in arrival order (WireMock's log, raw target kept).</summary>
    public IReadOnlyList<RecordedRequest> Requests
        => WireMock.LogEntries.Select(ToRecorded).Where(r => r is not null).OrderBy(r => r!.Sequence).Select(r => r!).ToArray();

    /// <summary>Starts a server with no routes (every request gets 404 until routes or mappings are added).</summary>
    public static FakeServer Start() => new(maxLoggedRequests: null);

    /// <summary>Starts a server whose request log keeps only the latest <paramref name="maxLoggedRequests"/> requests (benchmarks send hundreds of thousands).</summary>
    /// <param name="maxLoggedRequests">How many requests <see cref="Requests"/> keeps.</param>
    public static FakeServer Start(int maxLoggedRequests) => new(maxLoggedRequests);

    /// <summary>How many distinct TCP connections requests have arrived on since the start (or <see cref="ClearRequests"/>).</summary>
    public int Connections => _connections.Count;

    /// <summary>Forgets the request log (WireMock's log entries and the raw targets).</summary>
    public void ClearRequests()
    {
        WireMock.ResetLogEntries();
        _arrivals.Clear();
        _connections.Clear();
    }

    /// <summary>Adds a route: requests with <paramref name="method"/> (or <c>*</c>) whose path matches <paramref name="template"/>.</summary>
    /// <param name="method">The HTTP method, or <c>*</c> for any.</param>
    /// <param name="template">A path template: literal segments, <c>{name}</c> for one segment, <c>{**name}</c> for the rest.</param>
    /// <param name="handler">Answers the request.</param>
    public FakeServer Route(string method, string template, Func<FakeRequest, FakeResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Route(method, template, r => Task.FromResult(handler(r)));
    }

    /// <summary>Adds an asynchronous route (see <see cref="Route(string, string, Func{FakeRequest, FakeResponse})"/>).</summary>
    /// <param name="method">The HTTP method, or <c>*</c> for any.</param>
    /// <param name="template">The path template.</param>
    /// <param name="handler">Answers the request.</param>
    public FakeServer Route(string method, string template, Func<FakeRequest, Task<FakeResponse>> handler)
    {
        _router.Add(method, template, handler);
        return this;
    }

    /// <summary>Answers every request no route matches (default: 404 with a JSON note).</summary>
    /// <param name="handler">Answers the request.</param>
    public FakeServer Fallback(Func<FakeRequest, Task<FakeResponse>> handler)
    {
        _router.Fallback = handler;
        return this;
    }

    /// <summary>Answers every request no route matches (synchronous form).</summary>
    /// <param name="handler">Answers the request.</param>
    public FakeServer Fallback(Func<FakeRequest, FakeResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Fallback(r => Task.FromResult(handler(r)));
    }

    /// <summary>Whether a route added with <see cref="Route(string, string, Func{FakeRequest, FakeResponse})"/> matches this raw path with any method (a fallback answering 405 asks).</summary>
    /// <param name="rawPath">The request's raw path.</param>
    public bool HasRouteFor(string rawPath) => _router.MatchesAnyRoute(rawPath);

    /// <summary>Starts a WireMock mapping that takes precedence over the routes (a fault, a scripted sequence).</summary>
    /// <param name="request">Which requests it answers.</param>
    public IRespondWithAProvider Given(IRequestBuilder request) => WireMock.Given(request);

    internal Arrival? ArrivalOf(IReadOnlyDictionary<string, string> headers)
        => headers.TryGetValue(RequestIdHeader, out var id) && long.TryParse(id, out var n) && _arrivals.TryGetValue(n, out var arrival) ? arrival : null;

    private async Task NoteArrivalAsync(HttpContext context, Func<Task> next)
    {
        var id = Interlocked.Increment(ref _nextId);
        _connections.TryAdd(context.Connection.Id, 0);
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value + context.Request.QueryString.Value;
        _arrivals[id] = new Arrival(id, context.Request.Method, raw, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? "");
        context.Request.Headers[RequestIdHeader] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = new ResettingBody(context);
        context.Response.Body = body;
        context.Response.OnStarting(() =>
        {
            if (context.Response.Headers.Remove(ResetAfterBytesHeader, out var value) && long.TryParse(value, out var bytes))
            {
                body.ResetAfter(bytes);
            }
            return Task.CompletedTask;
        });
        await next().ConfigureAwait(false);
        // WireMock has answered and logged the request: now the held body (or, without one, the headers) may go out.
        try
        {
            await body.ReleaseAsync(whole: true, context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            // A reset the route or mapping asked for.
        }
    }

    /// <summary>Resets the connection, before the status line goes out, when the answer carries <see cref="ResetBeforeResponseHeader"/>.</summary>
    private static bool ResetBeforeResponseIfAsked(HttpContext context)
    {
        if (context.Response.HasStarted || !context.Response.Headers.ContainsKey(ResetBeforeResponseHeader))
        {
            return false;
        }
        context.Abort();
        return true;
    }

    private RecordedRequest? ToRecorded(ILogEntry entry)
    {
        var message = entry.RequestMessage;
        var headers = FakeRequest.HeadersOf(message);
        var arrival = ArrivalOf(headers);
        if (arrival is null)
        {
            return null;
        }
        return new RecordedRequest(message.Method, arrival.Path, arrival.Query, FakeRequest.WithoutInternalHeaders(headers), message.Body ?? FakeRequest.BodyText(message))
        {
            RawTarget = arrival.RawTarget,
            Sequence = arrival.Id,
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stopping.Cancel();
        WireMock.Stop();
        WireMock.Dispose();
        _stopping.Dispose();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>What Kestrel saw of one request before WireMock decoded it.</summary>
    internal sealed record Arrival(long Id, string Method, string RawTarget, string Path, string Query);

    /// <summary>
    /// The response body stream. It holds a body back until WireMock has answered (and so logged) the request, so a
    /// client never holds a response whose request is not yet in <see cref="Requests"/>; a flush (a streamed body)
    /// sends what is held at once and everything after it as it comes. It can also reset the connection before the
    /// answer or after a number of body bytes.
    /// </summary>
    private sealed class ResettingBody(HttpContext context) : Stream
    {
        private readonly Stream _inner = context.Response.Body;
        private readonly MemoryStream _held = new();
        private bool _passThrough;
        private long _remaining = -1;

        public void ResetAfter(long bytes) => _remaining = bytes;

        /// <summary>Sends what was held back; later writes go straight out.</summary>
        /// <param name="whole">Whether the body is complete (WireMock has answered): only then is its length known.</param>
        /// <param name="cancellationToken">Cancels sending.</param>
        public async Task ReleaseAsync(bool whole, CancellationToken cancellationToken)
        {
            if (_passThrough)
            {
                return;
            }
            _passThrough = true;
            if (ResetBeforeResponseIfAsked(context))
            {
                throw new IOException("The fake reset the connection before answering, as the route asked.");
            }
            if (_held.Length > 0)
            {
                if (whole && !context.Response.HasStarted && context.Response.ContentLength is null)
                {
                    // Sent whole, so framed by a Content-Length rather than chunked: Prism's proxy copies the upstream headers.
                    context.Response.ContentLength = _held.Length;
                }
                await SendAsync(_held.GetBuffer().AsMemory(0, (int)_held.Length), cancellationToken).ConfigureAwait(false);
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_passThrough && !context.Response.Headers.ContainsKey(ResetAfterBytesHeader))
            {
                _held.Write(buffer.Span);
                return;
            }
            // A body cut short is sent as written, inside WireMock's answer, where the reset lands as it always did.
            await ReleaseAsync(whole: false, cancellationToken).ConfigureAwait(false);
            await SendAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
        {
            if (!context.Response.HasStarted)
            {
                // Sending the headers runs the OnStarting callback that arms the reset.
                await context.Response.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            if (_remaining < 0)
            {
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }
            var allowed = (int)Math.Min(_remaining, buffer.Length);
            await _inner.WriteAsync(buffer[..allowed], cancellationToken).ConfigureAwait(false);
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            _remaining -= allowed;
            if (_remaining == 0 || allowed < buffer.Length)
            {
                // A flush hands the bytes to the transport, not to the wire: give them a moment to leave before the reset
                // (which would discard them, headers included).
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
                context.Abort();
                throw new IOException("The fake reset the connection mid-body, as the mapping asked.");
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            // Only a streamed body flushes before it ends: from here on, pieces go out as they are written.
            await ReleaseAsync(whole: false, cancellationToken).ConfigureAwait(false);
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _held.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
