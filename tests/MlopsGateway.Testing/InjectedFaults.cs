using System.Globalization;

namespace MlopsGateway.Testing;

/// <summary>The failure <see cref="InjectedFaults"/> picks for one request.</summary>
public enum InjectedFault
{
    /// <summary>Served normally.</summary>
    None,

    /// <summary>Answered 503 without being acted on.</summary>
    Unavailable,

    /// <summary>Acted on or not (a coin flip), then the connection is reset before any answer.</summary>
    Reset,

    /// <summary>Acted on, then the answer is held back longer than the client's attempt timeout.</summary>
    Timeout,
}

/// <summary>
/// Fails a share of the requests a fake serves, at random but reproducibly: one request in each block of
/// <c>1 / rate</c> arrivals fails, at a random place in its block, and the kinds come in random order, every kind
/// once per three failures — so a soak of a hundred requests sees each kind. The decisions come from one seeded
/// <see cref="Random"/> in arrival order; the seed is <see cref="SeedVariable"/> when set, otherwise fresh, and a
/// soak prints it so a failing run can be replayed (concurrent requests may still arrive in another order).
/// </summary>
public sealed class InjectedFaults
{
    /// <summary>The environment variable that fixes the seed (an integer) to reproduce a run.</summary>
    public const string SeedVariable = "MLOPS_SOAK_SEED";

    private readonly Random _random;
    private readonly int _block;
    private readonly Dictionary<InjectedFault, int> _counts = [];
    private readonly Queue<InjectedFault> _kinds = new();
    private int _arrivals;
    private int _failAt;

    /// <summary>Fails <paramref name="rate"/> of the requests, the three kinds in turn (in random order).</summary>
    /// <param name="rate">The share of requests to fail, above 0 and at most 1.</param>
    /// <param name="stall">How long a <see cref="InjectedFault.Timeout"/> holds its answer back (the server stopping ends it early).</param>
    public InjectedFaults(double rate, TimeSpan stall)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        _block = (int)Math.Round(1 / rate);
        Stall = stall;
        Seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } fixedSeed
            ? int.Parse(fixedSeed, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        _random = new Random(Seed);
    }

    /// <summary>The seed of this run's decisions.</summary>
    public int Seed { get; }

    /// <summary>How long a timed-out answer is held back.</summary>
    public TimeSpan Stall { get; }

    /// <summary>How many requests got each fault so far (<see cref="InjectedFault.None"/> included).</summary>
    public IReadOnlyDictionary<InjectedFault, int> Counts { get { lock (_counts) { return new Dictionary<InjectedFault, int>(_counts); } } }

    /// <summary>A line for the test output: the seed, how to replay it, and what was injected.</summary>
    public string Describe() => $"seed {Seed} (replay with {SeedVariable}={Seed}); injected: "
        + string.Join(", ", Counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));

    /// <summary>Serves <paramref name="request"/> through <paramref name="serve"/> (the stateful fake), failing it as the next decision says.</summary>
    /// <param name="request">The request.</param>
    /// <param name="serve">The fake's own handler; it runs for every fault but <see cref="InjectedFault.Unavailable"/> (and half the resets).</param>
    /// <param name="stopping">The server's stopping token (<see cref="FakeServer.Stopping"/>).</param>
    public Task<FakeResponse> ServeAsync(FakeRequest request, Func<FakeRequest, FakeResponse> serve, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(serve);
        return ServeAsync(request, r => Task.FromResult(serve(r)), stopping);
    }

    /// <summary>Serves <paramref name="request"/> through an asynchronous fake handler, failing it as the next decision says.</summary>
    /// <param name="request">The request.</param>
    /// <param name="serve">The fake's own handler; it runs for every fault but <see cref="InjectedFault.Unavailable"/> (and half the resets).</param>
    /// <param name="stopping">The server's stopping token (<see cref="FakeServer.Stopping"/>).</param>
    public async Task<FakeResponse> ServeAsync(FakeRequest request, Func<FakeRequest, Task<FakeResponse>> serve, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(serve);
        var (fault, actOnReset) = Next();
        switch (fault)
        {
            case InjectedFault.Unavailable:
                return FakeResponse.JsonText(503, """{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "injected 503"}""");
            case InjectedFault.Reset:
                if (actOnReset)
                {
                    await serve(request).ConfigureAwait(false);
                }
                return FakeResponse.Empty(200).WithHeader(FakeServer.ResetBeforeResponseHeader, "1");
            case InjectedFault.Timeout:
                var late = await serve(request).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Stall, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                }
                return late;
            default:
                return await serve(request).ConfigureAwait(false);
        }
    }

    private (InjectedFault Fault, bool ActOnReset) Next()
    {
        lock (_counts)
        {
            var place = _arrivals++ % _block;
            if (place == 0)
            {
                _failAt = _random.Next(_block);
            }
            if (_kinds.Count == 0)
            {
                foreach (var kind in new[] { InjectedFault.Unavailable, InjectedFault.Reset, InjectedFault.Timeout }.OrderBy(_ => _random.Next()))
                {
                    _kinds.Enqueue(kind);
                }
            }
            var fault = place == _failAt ? _kinds.Dequeue() : InjectedFault.None;
            var actOnReset = _random.Next(2) == 0;
            _counts[fault] = _counts.GetValueOrDefault(fault) + 1;
            return (fault, actOnReset);
        }
    }
}
