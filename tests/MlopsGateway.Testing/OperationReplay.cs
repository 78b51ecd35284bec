using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlopsGateway.Testing;

/// <summary>How one recorded exchange is replayed: the public operation that receives its response, or why none does.</summary>
public sealed record ReplayCase
{
    /// <summary>Calls the operation; returns the objects it produced paired with the recorded JSON each must equal in <c>Native</c>.</summary>
    public Func<IMlopsBackend, Task<IReadOnlyList<NativePair>>>? Act { get; init; }

    /// <summary>Why no public operation can receive this response (an endpoint the gateway never calls); null when one does.</summary>
    public string? NotReceivable { get; init; }

    /// <summary>The recorded request used another method than the adapter's on the same path (a protocol-error case).</summary>
    public bool AnyMethod { get; init; }

    /// <summary>
    /// The operation handles this error answer by design instead of throwing (a trigger's 409 answered with the
    /// existing run, a delete's 404 counted as done, a health check reporting unhealthy); its checks say how.
    /// </summary>
    public bool ErrorHandled { get; init; }

    /// <summary>Answers for the operation's other requests that the recording lacks at this moment (see <see cref="RecordedServer.Overrides"/>).</summary>
    public IReadOnlyList<RecordedExchange> Context { get; init; } = [];

    /// <summary>An operation that receives the response.</summary>
    public static ReplayCase Receives(Func<IMlopsBackend, Task<IReadOnlyList<NativePair>>> act, bool anyMethod = false) => new() { Act = act, AnyMethod = anyMethod };

    /// <summary>An operation that receives the response without producing objects with a <c>Native</c>.</summary>
    public static ReplayCase Receives(Func<IMlopsBackend, Task> act, bool anyMethod = false)
        => new() { Act = async b => { await act(b); return []; }, AnyMethod = anyMethod };

    /// <summary>No public operation calls this endpoint.</summary>
    public static ReplayCase None(string reason) => new() { NotReceivable = reason };
}

/// <summary>An object's <c>Native</c> and the JSON the server sent for it.</summary>
/// <param name="Native">What the adapter exposed.</param>
/// <param name="Recorded">The recorded object.</param>
public sealed record NativePair(JsonElement? Native, JsonNode? Recorded);

/// <summary>What an error response must become.</summary>
/// <param name="Type">The exact exception type.</param>
/// <param name="Code">The backend error code the exception carries.</param>
/// <param name="MessageContains">Text of the server's message the exception's message must keep.</param>
/// <param name="MessageExcludes">Text that must never reach the message (raw SQL, server paths).</param>
public sealed record ErrorExpectation(Type Type, string? Code, string? MessageContains, params string[] MessageExcludes);

/// <summary>
/// Replays every exchange of a recording through the public API: a <see cref="RecordedServer"/> answers with the
/// recorded response; the operation that sends that request is called on a fresh backend; a success must produce
/// objects whose <c>Native</c> equals the recorded JSON, an error the expected exception with the recorded status.
/// </summary>
public static class OperationReplay
{
    /// <summary>Runs every exchange; returns the problems found (empty when all agree) and the cases no operation receives.</summary>
    /// <param name="recording">The recording's exchanges (also the context other requests are answered from).</param>
    /// <param name="backendFor">Builds a fresh backend for the server (disposed after each exchange).</param>
    /// <param name="classify">The case for each exchange.</param>
    /// <param name="expectError">The expectation for each error exchange.</param>
    /// <param name="normalization">The <c>Native</c> normalisations the adapter documents.</param>
    /// <param name="wireBody">The exact body text of an exchange where the recording keeps a decoded form (see <see cref="RecordedServer.StartAsync"/>).</param>
    public static async Task<(IReadOnlyList<string> Problems, IReadOnlyList<string> NotReceivable, int Replayed)> RunAsync(
        IReadOnlyList<RecordedExchange> recording,
        Func<Uri, (IMlopsBackend Backend, IAsyncDisposable Scope)> backendFor,
        Func<RecordedExchange, ReplayCase> classify,
        Func<RecordedExchange, ErrorExpectation> expectError,
        NativeNormalization normalization = NativeNormalization.None,
        Func<RecordedExchange, string>? wireBody = null)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(backendFor);
        ArgumentNullException.ThrowIfNull(classify);
        ArgumentNullException.ThrowIfNull(expectError);
        var problems = new List<string>();
        var notReceivable = new List<string>();
        var replayed = 0;
        await using var server = await RecordedServer.StartAsync(recording, wireBody);
        foreach (var exchange in recording)
        {
            var replay = classify(exchange);
            if (replay.NotReceivable is { } reason)
            {
                notReceivable.Add($"{exchange.Id}: {reason}");
                continue;
            }
            server.Target = exchange;
            server.TargetMatchesAnyMethod = replay.AnyMethod;
            server.Overrides = replay.Context;
            var (backend, scope) = backendFor(server.BaseUri);
            Exception? thrown = null;
            IReadOnlyList<NativePair> natives = [];
            try
            {
                natives = await replay.Act!(backend).WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (Exception e)
            {
                thrown = e;
            }
            finally
            {
                await scope.DisposeAsync();
            }
            replayed++;
            if (server.TargetHits == 0)
            {
                problems.Add($"{exchange}: the operation never sent the recorded request ({thrown?.GetType().Name}: {thrown?.Message})");
                continue;
            }
            if (exchange.Status >= 400 && !replay.ErrorHandled)
            {
                problems.AddRange(CheckError(exchange, expectError(exchange), thrown));
                continue;
            }
            if (thrown is not null)
            {
                problems.Add($"{exchange}: the operation threw {thrown.GetType().Name}: {thrown.Message}");
                continue;
            }
            foreach (var pair in natives)
            {
                problems.AddRange(NativeJson.Differences(pair.Native, pair.Recorded, normalization).Select(d => $"{exchange}: Native {d}"));
            }
        }
        return (problems, notReceivable, replayed);
    }

    private static IEnumerable<string> CheckError(RecordedExchange exchange, ErrorExpectation expected, Exception? thrown)
    {
        if (thrown is not MlopsException error)
        {
            yield return $"{exchange}: expected {expected.Type.Name}, got {(thrown is null ? "success" : $"{thrown.GetType().Name}: {thrown.Message}")}";
            yield break;
        }
        if (error.GetType() != expected.Type)
        {
            yield return $"{exchange}: expected {expected.Type.Name}, got {error.GetType().Name}: {error.Message}";
        }
        if (error.Status != exchange.Status)
        {
            yield return $"{exchange}: status {error.Status}, recorded {exchange.Status}";
        }
        if (error.ErrorCode != expected.Code)
        {
            yield return $"{exchange}: error code {error.ErrorCode}, expected {expected.Code}";
        }
        if (expected.MessageContains is { } text && !error.Message.Contains(text, StringComparison.Ordinal))
        {
            yield return $"{exchange}: the message lost the server's text '{text}': {error.Message}";
        }
        foreach (var banned in expected.MessageExcludes)
        {
            if (error.Message.Contains(banned, StringComparison.Ordinal))
            {
                yield return $"{exchange}: the message contains '{banned}': {error.Message}";
            }
        }
    }

    /// <summary>The first page of a listing resumed from <paramref name="token"/> (what one recorded page request returns).</summary>
    /// <param name="pageable">The listing.</param>
    /// <param name="token">The continuation token, or null for the first page.</param>
    public static async Task<MlopsPage<T>> FirstPageAsync<T>(this MlopsPageable<T> pageable, string? token)
    {
        ArgumentNullException.ThrowIfNull(pageable);
        await foreach (var page in pageable.AsPages(token))
        {
            return page;
        }
        throw new InvalidOperationException("The listing returned no page.");
    }

    /// <summary>Pairs objects' <c>Native</c> with the items of a recorded array, one to one (a count mismatch is a difference too).</summary>
    /// <param name="natives">The <c>Native</c> of each object, in order.</param>
    /// <param name="recorded">The recorded array (absent means empty).</param>
    public static IReadOnlyList<NativePair> Pairs(IEnumerable<JsonElement?> natives, JsonNode? recorded)
    {
        ArgumentNullException.ThrowIfNull(natives);
        var list = natives.ToList();
        var items = recorded as JsonArray ?? [];
        var pairs = new List<NativePair>();
        for (var i = 0; i < Math.Max(list.Count, items.Count); i++)
        {
            pairs.Add(new NativePair(i < list.Count ? list[i] : null, i < items.Count ? items[i] : JsonValue.Create("(no such item)")));
        }
        return pairs;
    }
}
