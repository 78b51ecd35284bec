namespace MlopsGateway.Tests;

public sealed class RunRefTests
{
    public static TheoryData<string, string?, string> References => new()
    {
        { "abc123", "tracking", "tracking:abc123" },
        { "abc123", null, "abc123" },
        // Airflow ids as the adapter builds them, and as a caller might store a raw dag run id.
        { "train/manual__2024-01-01T00%3A00%3A00%2B00%3A00", "orchestrator", "orchestrator:train/manual__2024-01-01T00%3A00%3A00%2B00%3A00" },
        { "dag/manual__2024-01-01T00:00:00+00:00", "orchestrator", "orchestrator:dag/manual__2024-01-01T00:00:00+00:00" },
        { "dag/manual__2024-01-01T00:00:00+00:00", null, ":dag/manual__2024-01-01T00:00:00+00:00" },
        { "Flow/123", "metaflow", "metaflow:Flow/123" },
        { "Flow/123", null, "Flow/123" },
        { "a:b", null, ":a:b" },
        { ":", null, "::" },
        { ":leading", "local", "local::leading" },
        { " spaced id ", "my backend", "my backend: spaced id " },
    };

    [Theory]
    [MemberData(nameof(References))]
    public void The_text_form_round_trips_through_Parse_and_TryParse(string id, string? backend, string text)
    {
        var reference = new RunRef(id, backend);

        reference.ToString().Should().Be(text);
        RunRef.Parse(text).Should().Be(reference);
        RunRef.TryParse(text, out var parsed).Should().BeTrue();
        parsed.Should().Be(reference);
    }

    [Fact]
    public void A_null_id_is_an_argument_error()
    {
        var act = () => new RunRef(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void A_qualified_reference_splits_at_the_first_colon_because_backend_names_have_none()
    {
        var parsed = RunRef.Parse("orchestrator:dag/manual__2024-01-01T00:00:00+00:00");

        parsed.Backend.Should().Be("orchestrator");
        parsed.Id.Should().Be("dag/manual__2024-01-01T00:00:00+00:00");
    }

    [Fact]
    public void A_run_converts_with_its_backend_and_a_string_converts_verbatim_without_one()
    {
        RunRef fromRun = new Run { Id = "Flow/7", Backend = "metaflow" };
        RunRef fromString = "tracking:abc";
        Run? noRun = null;
        string? noId = null;
        RunRef? none = noRun;
        RunRef? alsoNone = noId;

        none.Should().BeNull();
        alsoNone.Should().BeNull();
        fromRun.Should().Be(new RunRef("Flow/7", "metaflow"));
        fromString.Should().Be(new RunRef("tracking:abc"), "an implicit conversion never parses: ids may contain ':'");
        RunRef.Parse(fromString.ToString()).Should().Be(fromString);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(":")]
    [InlineData("tracking:")]
    [InlineData("tracking: ")]
    [InlineData(" :abc")]
    public void Malformed_text_is_a_validation_error_from_Parse_and_false_from_TryParse(string text)
    {
        var act = () => RunRef.Parse(text);

        act.Should().Throw<MlopsValidationException>().WithMessage($"'{text}' is not a run reference*");
        RunRef.TryParse(text, out var parsed).Should().BeFalse();
        parsed.Should().BeNull();
    }

    [Fact]
    public void Null_is_an_argument_error_from_Parse_and_false_from_TryParse()
    {
        var act = () => RunRef.Parse(null!);

        act.Should().Throw<ArgumentNullException>();
        RunRef.TryParse(null, out _).Should().BeFalse();
    }
}
