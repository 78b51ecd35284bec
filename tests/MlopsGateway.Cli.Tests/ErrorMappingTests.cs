using System.Reflection;
using Microsoft.Extensions.Options;
using MlopsGateway.Airflow.Tests.Fake;

namespace MlopsGateway.Cli.Tests;

/// <summary>The one mapping of failures to exit codes, unit by unit and end to end against servers.</summary>
public sealed class ErrorMappingTests
{
    public static TheoryData<Exception, int, string> Failures() => new()
    {
        { new CliUsageException("u"), 2, "usage" },
        { new CliFailureException("f"), 1, "failed" },
        { new OptionsValidationException("Mlops", typeof(MlopsGatewayOptions), ["Mlops:Backends:x:Type: unknown"]), 2, "configuration" },
        { new MlopsNotFoundException("n"), 4, "notFound" },
        { new MlopsEndpointNotFoundException("e", new Uri("http://mlflow:5000/wrong/api/2.0/mlflow/runs/search")), 3, "endpointNotFound" },
        { new MlopsAuthenticationException("a"), 5, "authentication" },
        { new MlopsAuthorizationException("a"), 5, "authorization" },
        { new MlopsUnavailableException("u"), 3, "unavailable" },
        { new MlopsRateLimitedException("r", TimeSpan.FromSeconds(1)), 3, "rateLimited" },
        { new MlopsValidationException("v"), 2, "validation" },
        { new MlopsConflictException("c"), 2, "conflict" },
        { new MlopsNotSupportedException("b", "Runs.Start", "no"), 2, "notSupported" },
        { new TimeoutException("t"), 1, "timeout" },
        { new OperationCanceledException(), 130, "interrupted" },
        { new InvalidOperationException("boom"), 1, "unexpected" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Every_failure_kind_has_its_documented_exit_code(Exception error, int exitCode, string kind)
        => ErrorReporter.Classify(error).Should().Be((exitCode, kind));

    [Fact]
    public void Every_exception_type_of_the_gateway_is_classified_explicitly()
    {
        var gatewayErrors = typeof(MlopsException).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(MlopsException)) && t != typeof(MlopsBufferFullException));
        var covered = Failures().Select(row => row[0].GetType()).ToHashSet();
        gatewayErrors.Should().BeSubsetOf(covered, "a new MlopsException kind needs its exit code decided in ErrorReporter");
    }

    [Fact]
    public async Task An_unreachable_server_is_exit_code_3()
    {
        using var workspace = new Workspace();
        workspace.Add("tracking", Servers.MLflow(new Uri($"http://127.0.0.1:{BackendsCommandTests.ClosedPort()}/")));
        (await workspace.Cli().RunAsync("runs", "list")).ShouldFailWithOneLine(3, "tracking");
    }

    [Fact]
    public async Task Rejected_credentials_are_exit_code_5()
    {
        await using var airflow = await AirflowFake.StartAsync();
        airflow.AddDag("train_dag", ["train"]);
        using var workspace = new Workspace();
        workspace.Add("orchestrator", Servers.Airflow(airflow, password: "wrong"));
        (await workspace.Cli().RunAsync("pipelines", "list")).ShouldFailWithOneLine(5, "orchestrator");
    }
}
