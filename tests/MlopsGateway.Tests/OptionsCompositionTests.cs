using System.Reflection;

namespace MlopsGateway.Tests;

/// <summary>
/// Optional values in options records compose in conditionals without casts (issue: a nullable
/// <see cref="RunRef"/> struct with an implicit conversion from string made <c>cond ? new RunRef(id) : null</c>
/// fail to compile). The first test is the compile check; the second keeps the snag from coming back
/// on any public type.
/// </summary>
public sealed class OptionsCompositionTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("abc")]
    public void Optional_values_compose_in_conditionals(string? runId)
    {
        var sourceRun = runId is null ? null : new Run { Id = runId, Backend = "tracking" };
        var now = DateTimeOffset.UnixEpoch;
        var has = runId is not null;

        var version = new ModelVersionCreateOptions { Source = "model", Run = runId is null ? null : new RunRef(runId) };
        var fromRun = new ModelVersionCreateOptions { Source = "model", Run = sourceRun };
        var fromString = new ModelVersionCreateOptions { Source = "model", Run = runId };
        var query = new RunQuery { PageSize = has ? 10 : null, StartedAfter = has ? now : null, PipelineId = has ? runId : null };
        var trigger = new TriggerOptions { LogicalDate = has ? now : null, RunId = runId };
        var wait = new WaitOptions { Timeout = has ? TimeSpan.FromMinutes(1) : null };
        var logs = new TaskLogOptions { Attempt = has ? 2 : null };
        var start = new RunStartOptions { StartTime = has ? now : null, MaxParallelBatches = has ? 2 : null };
        var pipelines = new PipelineQuery { IsPaused = has ? false : null, PageSize = has ? 5 : null };
        var versions = new ModelVersionQuery { RunId = runId, PageSize = has ? 5 : null };

        version.Run.Should().Be(runId is null ? null : new RunRef(runId));
        fromRun.Run.Should().Be(runId is null ? null : new RunRef(runId, "tracking"));
        fromString.Run.Should().Be(version.Run);
        new object?[] { query.PageSize, query.StartedAfter, trigger.LogicalDate, wait.Timeout, logs.Attempt, start.StartTime, start.MaxParallelBatches, pipelines.IsPaused, versions.PageSize }
            .Should().AllSatisfy(v => (v is not null).Should().Be(has));
    }

    [Fact]
    public void No_public_property_is_a_nullable_struct_that_converts_from_a_reference_type()
    {
        // Such a struct makes the null literal convert to the struct itself, so `cond ? value : null` does not compile.
        var snags = typeof(RunRef).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(p => Nullable.GetUnderlyingType(p.PropertyType) is { } inner && inner.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Any(m => m.Name == "op_Implicit" && m.ReturnType == inner && !m.GetParameters()[0].ParameterType.IsValueType))
            .Select(p => $"{p.DeclaringType!.Name}.{p.Name}");

        snags.Should().BeEmpty();
    }
}
