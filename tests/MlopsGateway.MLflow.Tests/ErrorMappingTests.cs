using System.Net;
using System.Text;
using MlopsGateway.Http;
using MlopsGateway.MLflow.Api;

namespace MlopsGateway.MLflow.Tests;

/// <summary>Every recorded real error, served again over HTTP, becomes the right exception through the core's mapping and the MLflow parser.</summary>
public sealed class ErrorMappingTests
{
    /// <summary>The exception each recorded error must become (DESIGN.md §2 "errors").</summary>
    private static Type Expected(RecordedExchange exchange)
    {
        switch (exchange.Id)
        {
            case "alias-get-unknown":
                return typeof(MlopsNotFoundException); // 400 INVALID_PARAMETER_VALUE for an unknown alias
            case "run-log-param-changed":
                return typeof(MlopsConflictException);
            case "exp-update-rename-to-existing":
                return typeof(MlopsConflictException); // 400 BAD_REQUEST with a SQL uniqueness error
            case "art-download-missing":
                return typeof(MlopsNotFoundException); // 500 INTERNAL_ERROR for a missing file
        }
        var code = (exchange.ResponseBody as System.Text.Json.Nodes.JsonObject)?["error_code"]?.GetValue<string>();
        return code switch
        {
            "RESOURCE_DOES_NOT_EXIST" => typeof(MlopsNotFoundException),
            "RESOURCE_ALREADY_EXISTS" => typeof(MlopsConflictException),
            "INVALID_PARAMETER_VALUE" => typeof(MlopsValidationException),
            "NOT_IMPLEMENTED" => typeof(MlopsNotSupportedException),
            null when exchange.Status is 404 or 405 => typeof(MlopsEndpointNotFoundException), // Flask's HTML page for an unknown route
            _ => throw new InvalidOperationException($"{exchange.Id}: no expectation for {code} / {exchange.Status}"),
        };
    }

    [SharedFact]
    public async Task Every_recorded_error_maps_to_the_right_exception()
    {
        var errors = RecordedRoutes.All.Where(e => e.Status >= 400).ToList();
        errors.Should().HaveCountGreaterThan(40);
        RecordedExchange? current = null;
        await using var server = FakeServer.Start().Fallback(_ =>
        {
            var response = FakeResponse.Text(current!.Status, current.ResponseText, current.ResponseHeader("Content-Type") ?? "application/json");
            return current.ResponseHeader("Allow") is { } allow ? response.WithHeader("Allow", allow) : response;
        });
        // Through the public API, the Refit client and the core's mapping; one attempt each, no breaker across cases.
        await using var provider = MLflowHarness.BuildProvider(server.BaseUri, o =>
        {
            o.Resilience.MaxRetryAttempts = 0;
            o.Resilience.CircuitFailureRatio = 0;
        });
        var backend = Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetRequiredKeyedService<IMlopsBackend>(provider, "ml");

        foreach (var exchange in errors)
        {
            current = exchange;
            var act = () => backend.Runs.GetExperimentAsync("1");
            var thrown = (await act.Should().ThrowAsync<MlopsException>()).Which;
            thrown.GetType().Should().Be(Expected(exchange), "{0}: {1}", exchange.Id, thrown.Message);
            thrown.Status.Should().Be(exchange.Status);
            thrown.Backend.Should().Be("ml");
            thrown.Operation.Should().Be("Runs.GetExperiment");
            thrown.ErrorCode.Should().Be((exchange.ResponseBody as System.Text.Json.Nodes.JsonObject)?["error_code"]?.GetValue<string>());
            thrown.Message.Should().NotContain("[SQL:", "raw SQL stays out of messages ({0})", exchange.Id);
            thrown.Message.Should().NotContain("/data/mlflow-real", "server paths stay out of messages ({0})", exchange.Id);
        }
    }

    [Theory]
    [InlineData(401, "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.", typeof(MlopsAuthenticationException))]
    [InlineData(403, "Permission denied", typeof(MlopsAuthorizationException))]
    public async Task Plain_text_auth_failures_map_by_status_and_keep_the_text(int status, string body, Type expected)
    {
        // From the basic-auth transcripts in mlflow-real-responses.md: text bodies with a text/html content type.
        await using var server = FakeServer.Start().Fallback(_ =>
            FakeResponse.Text(status, body, "text/html; charset=utf-8").WithHeader("WWW-Authenticate", "Basic realm=\"mlflow\""));
        await using var provider = MLflowHarness.BuildProvider(server.BaseUri);
        var backend = Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetRequiredKeyedService<IMlopsBackend>(provider, "ml");

        var act = () => backend.Runs.GetExperimentAsync("1");

        var thrown = (await act.Should().ThrowAsync<MlopsException>()).Which;
        thrown.Should().BeOfType(expected);
        thrown.Message.Should().Contain(body[..17]);
        thrown.Operation.Should().Be("Runs.GetExperiment");
    }

    [Theory]
    [InlineData("""{"error_code": "RESOURCE_ALREADY_EXISTS", "message": "Experiment(name=x) already exists. Error: (sqlite3.IntegrityError) UNIQUE"}""", MlopsErrorKind.Conflict, "Experiment(name=x) already exists.")]
    [InlineData("""{"error_code": "INVALID_PARAMETER_VALUE", "message": "Registered model alias champion not found."}""", MlopsErrorKind.NotFound, null)]
    [InlineData("""{"error_code": "PERMISSION_DENIED", "message": "no"}""", MlopsErrorKind.Authorization, null)]
    [InlineData("""{"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}""", MlopsErrorKind.RateLimited, null)]
    [InlineData("""{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "later"}""", MlopsErrorKind.Unavailable, null)]
    [InlineData("""{"error_code": "INTERNAL_ERROR", "message": "database is locked"}""", null, null)]
    [InlineData("""{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "x", "sqlstate": "KAMC2", "error_class": "CP_RESOURCE_NOT_FOUND"}""", MlopsErrorKind.NotFound, null)]
    public void Parser_decides_the_kind_from_the_error_code(string body, MlopsErrorKind? kind, string? message)
    {
        var parsed = MLflowErrorParser.Instance.Parse(HttpStatusCode.BadRequest, "application/json", body);
        parsed.Kind.Should().Be(kind);
        if (message is not null)
        {
            parsed.Message.Should().Be(message);
        }
    }

    [Fact]
    public void Parser_copes_with_non_JSON_bodies()
    {
        MLflowErrorParser.Instance.Parse(HttpStatusCode.BadGateway, "text/plain", "{ not json").Message.Should().Be("{ not json");
        MLflowErrorParser.Instance.Parse(HttpStatusCode.ServiceUnavailable, null, new string('x', 1000)).Message!.Length.Should().BeLessThan(400);
        MLflowErrorParser.Instance.Parse(HttpStatusCode.NotFound, "text/html", "<!doctype html><title>404</title>").Kind.Should().Be(MlopsErrorKind.EndpointNotFound);
        MLflowErrorParser.Instance.Parse(HttpStatusCode.MethodNotAllowed, "text/html", "<!doctype html><title>405</title>").Kind.Should().Be(MlopsErrorKind.EndpointNotFound);
        Encoding.UTF8.GetByteCount(MLflowErrorParser.Instance.Parse(HttpStatusCode.InternalServerError, null, "").Message ?? "").Should().Be(0);
    }
}
