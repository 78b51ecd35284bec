using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace MlopsGateway.Http;

/// <summary>
/// The gateway's only retry loop: Microsoft.Extensions.Http.Resilience's handler on each backend service's named
/// client, built from the backend's <c>Resilience</c> settings — total timeout → retry (exponential backoff with
/// jitter, honouring <c>Retry-After</c> in seconds or as a date on the injected clock) → circuit breaker →
/// per-attempt timeout → concurrency limit (<c>MaxConcurrentRequests</c>). The pipeline lives in the resilience
/// registry under the client's name, so the breaker and limiter outlive handler rotation and are per service.
/// </summary>
internal static partial class GatewayResilience
{
    /// <summary>The name of the resilience handler on every backend client (replace it by this name).</summary>
    public const string HandlerName = "mlops";

    public static IHttpClientBuilder AddGatewayResilience(this IHttpClientBuilder client, string backend)
    {
        client.AddResilienceHandler(HandlerName, (pipeline, context) =>
        {
            var services = context.ServiceProvider;
            var options = services.GetRequiredService<BackendHttpRegistry>().Options(backend);
            var resilience = options.Resilience;
            var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            var logger = services.GetRequiredService<BackendHttpRegistry>().Logger;
            pipeline.TimeProvider = time;

            pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "TotalTimeout", Timeout = resilience.TotalTimeout });
            if (resilience.MaxRetryAttempts > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    Name = "Retry",
                    MaxRetryAttempts = resilience.MaxRetryAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = resilience.BaseDelay,
                    MaxDelay = resilience.MaxDelay,
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => ValueTask.FromResult(
                        RetryRules.ShouldRetry(args.Context.GetRequestMessage(), args.Outcome, args.Context.CancellationToken, time, resilience.MaxDelay)),
                    DelayGenerator = args => ValueTask.FromResult(args.Outcome switch
                    {
                        { Result: { } response } => ErrorMapper.RetryAfter(response.Headers, time),
                        { Exception: MlopsRateLimitedException { RetryAfter: { } asked } } => asked,
                        _ => (TimeSpan?)null,
                    }),
                    OnRetry = args =>
                    {
                        RecordRetry(logger, backend, args.Context.GetRequestMessage(), args.Outcome, args.AttemptNumber + 1, args.RetryDelay);
                        return default;
                    },
                });
            }
            if (resilience.CircuitFailureRatio > 0)
            {
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    Name = "CircuitBreaker",
                    FailureRatio = resilience.CircuitFailureRatio,
                    MinimumThroughput = Math.Max(2, resilience.CircuitMinimumThroughput),
                    SamplingDuration = resilience.CircuitSamplingDuration,
                    BreakDuration = resilience.CircuitBreakDuration,
                    ShouldHandle = args => ValueTask.FromResult(RetryRules.IsBackendFailure(args.Context.GetRequestMessage(), args.Outcome)),
                });
            }
            pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "AttemptTimeout", Timeout = resilience.AttemptTimeout });
            if (options.MaxConcurrentRequests is { } max)
            {
                // Callers over the limit wait for a slot (as with a semaphore) rather than being rejected.
                pipeline.AddConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = max, QueueLimit = int.MaxValue });
            }
        });
        return client;
    }

    private static void RecordRetry(ILogger logger, string backend, HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome, int attempt, TimeSpan delay)
    {
        var reason = outcome.Exception is { } ex ? ex.GetType().Name : $"HTTP {(int)outcome.Result!.StatusCode}";
        var operation = OperationScope.Current?.Operation ?? request?.Method.Method ?? "request";
        Activity.Current?.AddEvent(new ActivityEvent(MlopsTelemetry.RetryEventName, tags: new ActivityTagsCollection
        {
            ["mlops.retry.attempt"] = attempt,
            ["mlops.retry.delay_ms"] = (long)delay.TotalMilliseconds,
            ["mlops.retry.reason"] = reason,
        }));
        MlopsTelemetry.Retries.Add(1,
            new KeyValuePair<string, object?>(MlopsTelemetry.BackendNameAttribute, backend),
            new KeyValuePair<string, object?>(MlopsTelemetry.OperationAttribute, operation));
        LogRetry(logger, operation, backend, attempt, delay.TotalMilliseconds, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying {Operation} on backend '{Backend}' (retry {Attempt}) in {DelayMs:0} ms after {Reason}.")]
    private static partial void LogRetry(ILogger logger, string operation, string backend, int attempt, double delayMs, string reason);
}
