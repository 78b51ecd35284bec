using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>The "Customising the HTTP pipeline" example of docs/configuration.md, run against a recording primary handler.</summary>
public sealed class HttpPipelineSnippets
{
    [Fact]
    public async Task An_added_handler_runs_on_every_attempt_inside_the_gateways_one_retry_loop()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mlops:Backends:tracking:Type"] = "MLflow",
            ["Mlops:Backends:tracking:BaseUrl"] = "http://mlflow.internal:5000",
            ["Mlops:Backends:tracking:Resilience:BaseDelay"] = "00:00:00.001",
        }).Build();
        var server = new AnswersInTurn(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        #region Snippet:Configuration_HttpClient
        var gateway = services.AddMlopsGateway(configuration.GetSection("Mlops")).AddMLflow();
        gateway.HttpClient("tracking")                                 // the backend's IHttpClientBuilder
            .AddHttpMessageHandler(() => new CostCentreHeader("ml-platform"));
        #endregion
        gateway.HttpClient("tracking").ConfigurePrimaryHttpMessageHandler(() => server);
        await using var provider = services.BuildServiceProvider();

        var run = await provider.GetRequiredService<IMlopsBackend>().Runs.GetAsync("r1");

        run.Id.Should().Be("r1");
        server.Seen.Should().HaveCount(2, "the 503 is retried once by the gateway's resilience handler, not by a second loop");
        server.Seen.Should().AllSatisfy(cc => cc.Should().Be("ml-platform"));
    }

    #region Snippet:Configuration_HeaderHandler
    /// <summary>An application's own handler: sets a header on every attempt.</summary>
    private sealed class CostCentreHeader(string costCentre) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // A retried attempt re-sends the same request message: set the header, never append a second value.
            request.Headers.Remove("X-Cost-Centre");
            request.Headers.Add("X-Cost-Centre", costCentre);
            return base.SendAsync(request, cancellationToken);
        }
    }
    #endregion

    /// <summary>Answers MLflow's runs/get with the given statuses in turn, noting the header of each attempt.</summary>
    private sealed class AnswersInTurn(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _next;

        public List<string?> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add(request.Headers.TryGetValues("X-Cost-Centre", out var values) ? string.Join(",", values) : null);
            var status = statuses[Math.Min(_next++, statuses.Length - 1)];
            var body = status == HttpStatusCode.OK
                ? """{"run":{"info":{"run_id":"r1","status":"FINISHED"},"data":{}}}"""
                : """{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}""";
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
