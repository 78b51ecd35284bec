using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace MlopsGateway.Http;

/// <summary>
/// The gateway's only retry loop: a Polly.Core pipeline per backend (total timeout → retry with
/// exponential backoff and jitter honouring <c>Retry-After</c> → circuit breaker → per-attempt timeout)
/// applied in a <see cref="DelegatingHandler"/>. What is safe to retry is decided by <see cref="RequestMarks"/>.
/// </summary>
internal sealed class ResilienceHandler(BackendResilience resilience) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BackendResilience.RequestKey, request);
        try
        {
            var outcome = await resilience.Pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    var attempt = ctx.Properties.GetValue(BackendResilience.AttemptKey, 0) + 1;
                    ctx.Properties.Set(BackendResilience.AttemptKey, attempt);
                    try
                    {
                        var response = await state.handler.SendInnerAsync(state.request, ctx.CancellationToken).ConfigureAwait(false);
                        // A retried DELETE that finds nothing: an earlier attempt most likely deleted it.
                        if (attempt > 1 && state.request.Method == HttpMethod.Delete && response.StatusCode == HttpStatusCode.NotFound)
                        {
                            response.Dispose();
                            response = new HttpResponseMessage(HttpStatusCode.NoContent) { RequestMessage = state.request };
                        }
                        return Outcome.FromResult(response);
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (handler: this, request)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken ct) => base.SendAsync(request, ct);
}

/// <summary>The per-backend resilience pipeline and circuit breaker state, shared by every handler instance of the backend.</summary>
internal sealed partial class BackendResilience
{
    internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("MlopsGateway.Request");
    internal static readonly ResiliencePropertyKey<int> AttemptKey = new("MlopsGateway.Attempt");
    private readonly string _backend;
    private readonly ResilienceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BackendResilience(string backend, ResilienceOptions options, TimeProvider time, ILogger logger)
    {
        _backend = backend;
        _options = options;
        _time = time;
        _logger = logger;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.TotalTimeout });
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome)),
                OnRetry = args =>
                {
                    OnRetry(args.Context, args.Outcome, args.AttemptNumber + 1, args.RetryDelay);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        if (options.CircuitFailureRatio > 0)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = Math.Max(2, options.CircuitMinimumThroughput),
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Context, args.Outcome)),
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout });
        Pipeline = builder.Build();
    }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    private static bool IsRetryableStatus(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    private static bool IsTransientFailure(ResilienceContext context, Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutRejectedException or IOException;
        }
        var response = outcome.Result!;
        if (!IsRetryableStatus(response.StatusCode) || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return false;
        }
        return !(context.Properties.TryGetValue(RequestKey, out var request) && RequestMarks.IsPermanent(request, response));
    }

    private bool ShouldRetry(ResilienceContext context, Outcome<HttpResponseMessage> outcome)
    {
        if (!context.Properties.TryGetValue(RequestKey, out var request) || !RequestMarks.IsRewindable(request.Content))
        {
            return false;
        }
        if (outcome.Exception is { } ex)
        {
            if (ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            {
                return false;
            }
            if (RequestMarks.IsIdempotent(request))
            {
                return ex is HttpRequestException or TimeoutRejectedException or IOException;
            }
            // A non-idempotent request is retried only when it provably never reached the server.
            return ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError }
                && !RequestMarks.IsNeverRetried(request);
        }

        var response = outcome.Result!;
        if (!IsRetryableStatus(response.StatusCode) || !RequestMarks.IsIdempotent(request) || RequestMarks.IsPermanent(request, response))
        {
            return false;
        }
        // A server asking for a longer pause than we are allowed to wait gets its answer back to the caller.
        return ErrorMapper.RetryAfter(response.Headers, _time) is not { } wait || wait <= _options.MaxDelay;
    }

    private TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome)
        => outcome.Result is { } response ? ErrorMapper.RetryAfter(response.Headers, _time) : null;

    private void OnRetry(ResilienceContext context, Outcome<HttpResponseMessage> outcome, int attempt, TimeSpan delay)
    {
        var reason = outcome.Exception is { } ex ? ex.GetType().Name : $"HTTP {(int)outcome.Result!.StatusCode}";
        var operation = OperationScope.Current?.Operation ?? (context.Properties.TryGetValue(RequestKey, out var r) ? r.Method.Method : "request");
        Activity.Current?.AddEvent(new ActivityEvent(MlopsTelemetry.RetryEventName, tags: new ActivityTagsCollection
        {
            ["mlops.retry.attempt"] = attempt,
            ["mlops.retry.delay_ms"] = (long)delay.TotalMilliseconds,
            ["mlops.retry.reason"] = reason,
        }));
        MlopsTelemetry.Retries.Add(1,
            new KeyValuePair<string, object?>(MlopsTelemetry.BackendNameAttribute, _backend),
            new KeyValuePair<string, object?>(MlopsTelemetry.OperationAttribute, operation));
        LogRetry(_logger, operation, _backend, attempt, delay.TotalMilliseconds, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying {Operation} on backend '{Backend}' (retry {Attempt}) in {DelayMs:0} ms after {Reason}.")]
    private static partial void LogRetry(ILogger logger, string operation, string backend, int attempt, double delayMs, string reason);
}
