using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Models;
using WireMock.Types;
using WireMock.Util;

namespace MlopsGateway.Testing;

/// <summary>
/// A fake's answer: status, headers and a body given as text, bytes, JSON, or streamed piece by piece
/// (<see cref="Streamed"/>, for bodies that arrive slowly or never end). Turned into WireMock's response message.
/// </summary>
public sealed record FakeResponse
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>The HTTP status.</summary>
    public int Status { get; init; } = 200;

    /// <summary>The response headers, in order (<c>Content-Type</c> included).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body bytes; null for no body.</summary>
    public byte[]? Body { get; init; }

    /// <summary>
    /// Writes the body in pieces as they become available: each string written to the queue is sent and flushed;
    /// the body ends when the function writes <c>null</c> or returns. (WireMock always answers such a body with 200.)
    /// </summary>
    public Func<IBlockingQueue<string?>, CancellationToken, Task>? Streamed { get; init; }

    /// <summary>A text body.</summary>
    /// <param name="status">The status.</param>
    /// <param name="text">The body.</param>
    /// <param name="contentType">Its content type.</param>
    public static FakeResponse Text(int status, string text, string contentType = "text/plain; charset=utf-8")
        => new() { Status = status, Body = Encoding.UTF8.GetBytes(text), Headers = [new("Content-Type", contentType)] };

    /// <summary>A JSON body written from raw JSON text.</summary>
    /// <param name="status">The status.</param>
    /// <param name="json">The JSON text.</param>
    public static FakeResponse JsonText(int status, string json) => Text(status, json, "application/json");

    /// <summary>A JSON body (indented, as the Python servers write it).</summary>
    /// <param name="status">The status.</param>
    /// <param name="body">The JSON.</param>
    public static FakeResponse Json(int status, JsonNode? body) => JsonText(status, body?.ToJsonString(s_indented) ?? "null");

    /// <summary>A binary body.</summary>
    /// <param name="status">The status.</param>
    /// <param name="bytes">The body.</param>
    /// <param name="contentType">Its content type.</param>
    public static FakeResponse Bytes(int status, byte[] bytes, string contentType = "application/octet-stream")
        => new() { Status = status, Body = bytes, Headers = [new("Content-Type", contentType)] };

    /// <summary>No body.</summary>
    /// <param name="status">The status.</param>
    public static FakeResponse Empty(int status) => new() { Status = status };

    /// <summary>This response with one more header.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">Its value.</param>
    public FakeResponse WithHeader(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };

    /// <summary>This answer as WireMock's response message (for a WireMock callback of a fault mapping).</summary>
    /// <param name="stopping">Ends a streamed body (pass <see cref="FakeServer.Stopping"/>).</param>
    public ResponseMessage ToResponseMessage(CancellationToken stopping = default)
    {
        var message = new ResponseMessage { StatusCode = Status };
        foreach (var (name, value) in Headers)
        {
            message.AddHeader(name, value);
        }
        if (Streamed is { } write)
        {
            var queue = new StreamedBody();
            message.BodyData = new BodyData
            {
                DetectedBodyType = BodyType.SseString,
                SseStringQueue = queue,
                BodyAsSseStringTask = queue.FillAsync(write, stopping),
                Encoding = Encoding.UTF8,
            };
        }
        else if (Body is not null)
        {
            message.BodyData = new BodyData { DetectedBodyType = BodyType.Bytes, BodyAsBytes = Body };
        }
        return message;
    }

    /// <summary>
    /// The queue WireMock drains for a streamed body; closed when the writer is done or the server stops. It holds a
    /// few pieces at most — a writer blocks until WireMock has sent the earlier ones — so a generated body of any
    /// size is produced no faster than it is sent, never held whole.
    /// </summary>
    private sealed class StreamedBody : IBlockingQueue<string?>
    {
        private const int Capacity = 4;
        private readonly Queue<string?> _items = new();
        private bool _closed;

        public async Task FillAsync(Func<IBlockingQueue<string?>, CancellationToken, Task> write, CancellationToken stopping)
        {
            using var _ = stopping.Register(Close);
            try
            {
                // Off the caller's thread: a writer blocked on a full queue must not hold up WireMock before it starts reading.
                await Task.Yield();
                await write(this, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            finally
            {
                Close();
            }
        }

        public void Write(string? item)
        {
            lock (_items)
            {
                while (_items.Count >= Capacity && !_closed)
                {
                    Monitor.Wait(_items);
                }
                if (_closed)
                {
                    return;
                }
                _items.Enqueue(item);
                Monitor.PulseAll(_items);
            }
        }

        public bool TryRead([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? item)
        {
            lock (_items)
            {
                while (_items.Count == 0 && !_closed)
                {
                    Monitor.Wait(_items);
                }
                item = _items.Count > 0 ? _items.Dequeue() : null;
                Monitor.PulseAll(_items);
                return item is not null;
            }
        }

        public void Close()
        {
            lock (_items)
            {
                _closed = true;
                Monitor.PulseAll(_items);
            }
        }
    }
}
