using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.Airflow.Tests;

/// <summary>One exchange with Prism as the adapter's HTTP client saw it.</summary>
public sealed record PrismExchange(string Method, string Target, int Status, JsonArray Violations)
{
    /// <summary>Violations Prism found in the request (location starting with "request").</summary>
    public IEnumerable<string> RequestViolations => Violations.Select(v => v!)
        .Where(v => v["location"]?[0]?.GetValue<string>() == "request")
        .Select(v => v["message"]?.GetValue<string>() ?? v.ToJsonString());

    /// <inheritdoc/>
    public override string ToString() => $"{Method} {Target} -> {Status} {Violations.ToJsonString()}";
}

/// <summary>
/// Records every exchange with Prism (status and its <c>sl-violations</c> header), innermost in the
/// backend's handler chain so it sees the request exactly as sent (auth included).
/// </summary>
public sealed partial class PrismTraffic
{
    private readonly ConcurrentQueue<PrismExchange> _exchanges = new();

    /// <summary>Everything recorded so far.</summary>
    public IReadOnlyList<PrismExchange> Exchanges => _exchanges.ToArray();

    /// <summary>A copy without the exchanges whose target starts with <paramref name="prefix"/> (traffic that bypasses Prism).</summary>
    public PrismTraffic Without(string prefix)
    {
        var copy = new PrismTraffic();
        foreach (var e in Exchanges.Where(e => !e.Target.StartsWith(prefix, StringComparison.Ordinal)))
        {
            copy._exchanges.Enqueue(e);
        }
        return copy;
    }

    /// <summary>Adds the recorder to the Airflow test backend's HTTP client.</summary>
    /// <param name="fixV1TaskDates">Prism's v1 spec types task-instance dates as <c>format: datetime</c>, so its generated example says "string": replace those with a date so the adapter can go on to its next request.</param>
    /// <param name="backendName">The configured backend whose client to record.</param>
    public Action<MlopsGatewayBuilder> Attach(bool fixV1TaskDates = false, string backendName = AirflowHost.Name)
        => builder => builder.HttpClient(backendName).AddHttpMessageHandler(() => new Recorder(this, fixV1TaskDates));

    private sealed partial class Recorder(PrismTraffic owner, bool fixDates) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var violations = response.Headers.TryGetValues("sl-violations", out var values)
                ? JsonNode.Parse(values.First()) as JsonArray ?? []
                : [];
            owner._exchanges.Enqueue(new PrismExchange(request.Method.Method, request.RequestUri!.PathAndQuery, (int)response.StatusCode, violations));
            if (fixDates && request.RequestUri!.AbsolutePath.Contains("/taskInstances/", StringComparison.Ordinal) && !request.RequestUri.AbsolutePath.Contains("/logs/", StringComparison.Ordinal))
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var fixedText = DateField().Replace(text, m => $"\"{m.Groups[1].Value}\":\"2026-01-01T00:00:00+00:00\"");
                var content = new StringContent(fixedText, System.Text.Encoding.UTF8, "application/json");
                response.Content = content;
            }
            return response;
        }

        [GeneratedRegex("\"((?:execution|start|end)_date|queued_when|timestamp|latest_heartbeat|created_date)\":\"string\"")]
        private static partial Regex DateField();
    }
}
