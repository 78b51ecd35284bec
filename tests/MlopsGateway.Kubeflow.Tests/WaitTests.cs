using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using MlopsGateway.Kubeflow.Tests.Fakes;
using MlopsGateway.Testing;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>
/// WaitForCompletionAsync (the core's RunWaiter on the adapter's GetAsync) driven by a manual clock: it survives a
/// service-account token rotation in the middle of a multi-hour wait (the Python client's failure after about an
/// hour) and honours its timeout.
/// </summary>
public sealed class WaitTests : IAsyncLifetime
{
    private readonly WatchedTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"kfp-token-{Guid.NewGuid():N}");
    private readonly InFlight _inFlight = new();
    private KubeflowFake _fake = null!;
    private IMlopsBackend _backend = null!;
    private string _runId = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_tokenFile, "token-one");
        _fake = await KubeflowFake.StartAsync(_clock);
        _backend = Harness.Create(_fake.BaseUri, time: _clock, configure: o =>
        {
            o.Auth.Type = "TokenFile";
            o.Auth.Token = null;
            o.Auth.TokenFile = _tokenFile;
        }, gateway: g => g.HttpClient(Harness.Name).ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Insert(0, new InFlightHandler(_inFlight))));
        var pipeline = await _backend.Pipelines.UploadAsync(new PipelineUpload { Name = "p", Content = new MemoryStream("x"u8.ToArray()) });
        _runId = (await _backend.Pipelines.TriggerAsync(pipeline.Id, new TriggerOptions { RunName = "long" })).Id;
        _fake.AcceptedToken = "token-one";
        _fake.Server.ClearRequests();
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        File.Delete(_tokenFile);
    }

    /// <summary>
    /// Each time the waiter has reported poll n, has no request in flight (so no resilience timer) and sleeps on
    /// its one timer, advances the clock by exactly the waiter's n-th delay (1 s doubling to 30 s), so one
    /// advance wakes exactly one poll.
    /// </summary>
    private async Task DriveAsync(Task<Run> wait, ConcurrentQueue<Run> reports, Action<TimeSpan> onSleep)
    {
        var start = _clock.GetUtcNow();
        var delay = TimeSpan.FromSeconds(1);
        for (var poll = 1; ; poll++)
        {
            var expected = poll;
            await Eventually.TrueAsync(
                () => wait.IsCompleted || (reports.Count == expected && _inFlight.Count == 0 && _clock.ActiveTimers == 1),
                $"poll {expected} to finish and the waiter to sleep");
            if (wait.IsCompleted)
            {
                return;
            }
            onSleep(_clock.GetUtcNow() - start);
            _clock.Advance(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    [Fact]
    public async Task A_two_hour_wait_survives_a_token_rotation_refreshing_once_on_401()
    {
        var reports = new ConcurrentQueue<Run>();
        var wait = _backend.Runs.WaitForCompletionAsync(_runId,
            new WaitOptions { InitialPollInterval = TimeSpan.FromSeconds(1), MaxPollInterval = TimeSpan.FromSeconds(30) },
            new SyncProgress(reports.Enqueue));
        var rotated = false;
        var running = false;

        await DriveAsync(wait, reports, elapsed =>
        {
            if (!running && elapsed >= TimeSpan.FromMinutes(10))
            {
                running = true;
                _fake.SetRunState(_runId, "RUNNING");
            }
            if (!rotated && elapsed >= TimeSpan.FromHours(1))
            {
                // The kubelet rotates the projected token: the server stops accepting the old one. The new token
                // has the same length and the file keeps its timestamp, so only the 401 can reveal the change.
                rotated = true;
                var stamp = File.GetLastWriteTimeUtc(_tokenFile);
                File.WriteAllText(_tokenFile, "token-two");
                File.SetLastWriteTimeUtc(_tokenFile, stamp);
                _fake.AcceptedToken = "token-two";
            }
            if (elapsed >= TimeSpan.FromHours(2) && (string?)_fake.Run(_runId)["state"] != "SUCCEEDED")
            {
                _fake.SetRunState(_runId, "SUCCEEDED");
            }
        });

        var run = await wait;
        run.Status.Should().Be(RunStatus.Succeeded);
        reports.Select(r => r.Status).Distinct().Should().Equal(RunStatus.Queued, RunStatus.Running, RunStatus.Succeeded);
        var gets = _fake.Server.Requests.Where(r => r.Path == $"/apis/v2beta1/runs/{_runId}").ToList();
        gets.Should().HaveCountGreaterThan(200, "it polled for two simulated hours");
        var rejected = gets.SkipWhile(r => r.Header("Authorization") == "Bearer token-one").ToList();
        gets.Count(r => r.Header("Authorization") == "Bearer token-one").Should().Be(gets.Count - rejected.Count);
        rejected.Should().OnlyContain(r => r.Header("Authorization") == "Bearer token-two", "after one 401 the fresh token is used for good");
        gets.Count.Should().Be(reports.Count + 1, "exactly one poll was re-sent after the 401");
    }

    [Fact]
    public async Task The_timeout_is_honoured_on_a_run_that_never_finishes()
    {
        var reports = new ConcurrentQueue<Run>();
        var wait = _backend.Runs.WaitForCompletionAsync(_runId,
            new WaitOptions { Timeout = TimeSpan.FromMinutes(5), InitialPollInterval = TimeSpan.FromSeconds(1), MaxPollInterval = TimeSpan.FromSeconds(30) },
            new SyncProgress(reports.Enqueue));

        await DriveAsync(wait, reports, _ => { });


        (await wait.Invoking(w => w).Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain(_runId).And.Contain("PENDING");
        _clock.GetUtcNow().Should().BeOnOrAfter(new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero));
        _clock.GetUtcNow().Should().BeBefore(new DateTimeOffset(2026, 1, 1, 0, 6, 0, TimeSpan.Zero));
    }

    private sealed class InFlight
    {
        private int _count;
        public int Count => Volatile.Read(ref _count);
        public void Enter() => Interlocked.Increment(ref _count);
        public void Leave() => Interlocked.Decrement(ref _count);
    }

    /// <summary>Outermost handler: counts requests between entering and leaving the whole resilience pipeline.</summary>
    private sealed class InFlightHandler(InFlight counter) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counter.Enter();
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                counter.Leave();
            }
        }
    }

    private sealed class SyncProgress(Action<Run> report) : IProgress<Run>
    {
        public void Report(Run value) => report(value);
    }
}
