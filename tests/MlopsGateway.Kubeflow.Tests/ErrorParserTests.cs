using System.Net;
using MlopsGateway.Http;
using MlopsGateway.Kubeflow.Api;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>The three error shapes and the gRPC code table.</summary>
public sealed class ErrorParserTests
{
    private static readonly KubeflowErrorParser Parser = KubeflowErrorParser.Instance;

    [Theory]
    [InlineData(3, MlopsErrorKind.Validation, "INVALID_ARGUMENT")]
    [InlineData(5, MlopsErrorKind.NotFound, "NOT_FOUND")]
    [InlineData(6, MlopsErrorKind.Conflict, "ALREADY_EXISTS")]
    [InlineData(7, MlopsErrorKind.Authorization, "PERMISSION_DENIED")]
    [InlineData(8, MlopsErrorKind.RateLimited, "RESOURCE_EXHAUSTED")]
    [InlineData(9, MlopsErrorKind.Validation, "FAILED_PRECONDITION")]
    [InlineData(14, MlopsErrorKind.Unavailable, "UNAVAILABLE")]
    [InlineData(16, MlopsErrorKind.Authentication, "UNAUTHENTICATED")]
    public void Grpc_codes_decide_the_kind_and_the_detail_message_wins(int code, MlopsErrorKind kind, string name)
    {
        var body = $$"""{"code":{{code}},"message":"internal chain: wrapped: x","details":[{"@type":"type.googleapis.com/google.rpc.Status","code":{{code}},"message":"Clean message"}]}""";

        var error = Parser.Parse(HttpStatusCode.BadRequest, "application/json", body);

        error.Should().Be(new BackendError(name, "Clean message", kind));
    }

    [Fact]
    public void Without_details_the_top_level_message_is_used()
        => Parser.Parse(HttpStatusCode.NotFound, "application/json", """{"code":5,"message":"run r not found"}""")
            .Should().Be(new BackendError("NOT_FOUND", "run r not found", MlopsErrorKind.NotFound));

    [Fact]
    public void Internal_errors_leave_the_kind_to_the_http_status()
        => Parser.Parse(HttpStatusCode.InternalServerError, "application/json", """{"code":13,"message":"boom"}""").Kind.Should().BeNull();

    [Fact]
    public void The_upload_handlers_v1_shape_is_read()
        => Parser.Parse(HttpStatusCode.Conflict, "application/json", """{"error_message":"Pipeline already exists","error_details":"name demo taken"}""")
            .Should().Be(new BackendError(null, "Pipeline already exists (name demo taken)"));

    [Fact]
    public void The_model_registry_string_code_shape_is_read()
        => Parser.Parse(HttpStatusCode.NotFound, "application/json", """{"code":"NOT_FOUND","message":"no registered model found"}""")
            .Should().Be(new BackendError("NOT_FOUND", "no registered model found"));

    [Fact]
    public void Plain_text_from_http_Error_or_a_proxy_is_the_message()
        => Parser.Parse(HttpStatusCode.BadRequest, "text/plain", "Failed to parse uploadfile\n")
            .Should().Be(new BackendError(null, "Failed to parse uploadfile"));

    [Fact]
    public void A_proxy_login_page_is_explained_instead_of_echoed()
    {
        var error = Parser.Parse(HttpStatusCode.Forbidden, "text/html", "<html><body>Sign in with Dex</body></html>");

        error.Message.Should().Contain("pipelines.kubeflow.org").And.NotContain("<html>");
        error.Kind.Should().BeNull("the HTTP status decides");
    }
}
