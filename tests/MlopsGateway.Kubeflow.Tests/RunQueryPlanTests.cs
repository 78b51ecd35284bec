using MlopsGateway.Kubeflow;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>How a neutral RunQuery becomes KFP's filter JSON, sort and client-side checks.</summary>
public sealed class RunQueryPlanTests
{
    private static readonly BackendContext Context = new("kfp");

    [Fact]
    public void A_native_filter_is_anded_with_the_gateways_predicates_keeping_its_value_fields()
    {
        var plan = KfpRunQuery.Plan(new RunQuery
        {
            NativeFilter = """{"predicates":[{"key":"recurring_run_id","operation":"EQUALS","string_value":"s1"},{"key":"x","operation":"GREATER_THAN","int_value":3}]}""",
            Statuses = [RunStatus.Succeeded],
        }, Context);

        plan.Filter.Should().Be("""{"predicates":[{"key":"recurring_run_id","operation":"EQUALS","string_value":"s1"},{"key":"x","operation":"GREATER_THAN","int_value":3},{"key":"state","operation":"EQUALS","string_value":"SUCCEEDED"}]}""");
        plan.SortBy.Should().Be("created_at desc");
        plan.ClientFilter.Should().BeNull();
    }

    [Fact]
    public void A_malformed_native_filter_is_a_validation_error()
    {
        var act = () => KfpRunQuery.Plan(new RunQuery { NativeFilter = "state=SUCCEEDED" }, Context);

        act.Should().Throw<MlopsValidationException>().Which.Message.Should().Contain("NativeFilter");
    }

    [Fact]
    public void What_KFP_cannot_filter_is_checked_client_side()
    {
        var plan = KfpRunQuery.Plan(new RunQuery
        {
            ExperimentIds = ["e1", "e2"],
            PipelineId = "p",
            Params = [new ParamPredicate("lr", ComparisonOperator.Equal, "0.1")],
        }, Context);

        plan.ExperimentId.Should().BeNull();
        plan.Filter.Should().BeNull();
        var match = new Run { Backend = "kfp", Id = "a", ExperimentId = "e2", PipelineId = "p", Params = new Dictionary<string, string> { ["lr"] = "0.1" } };
        plan.ClientFilter!(match).Should().BeTrue();
        plan.ClientFilter!(match with { ExperimentId = "e3" }).Should().BeFalse();
        plan.ClientFilter!(match with { PipelineId = "q" }).Should().BeFalse();
        plan.ClientFilter!(match with { Params = new Dictionary<string, string> { ["lr"] = "0.2" } }).Should().BeFalse();
    }

    [Theory]
    [InlineData(RunSortField.Metric)]
    [InlineData(RunSortField.Param)]
    public void Sorting_by_metrics_or_params_is_rejected(RunSortField field)
    {
        var act = () => KfpRunQuery.Plan(new RunQuery { OrderBy = [new RunOrdering(field, Key: "k")] }, Context);

        act.Should().Throw<MlopsValidationException>();
    }

    [Fact]
    public void Only_one_sort_field_is_accepted()
    {
        var act = () => KfpRunQuery.Plan(new RunQuery { OrderBy = [new RunOrdering(RunSortField.Name), new RunOrdering(RunSortField.StartTime)] }, Context);

        act.Should().Throw<MlopsValidationException>().Which.Message.Should().Contain("one field");
    }
}
