using MlopsGateway.Kubeflow;

namespace MlopsGateway.Kubeflow.Tests;

public sealed class CronTests
{
    [Theory]
    [InlineData("0 0 * * * *")]
    [InlineData("*/30 5,35 8-18 ? JAN-MAR mon-fri")]
    [InlineData("0 0 12 1 */2 0")]
    [InlineData("@hourly")]
    [InlineData("@every 1h30m")]
    public void Valid_six_field_expressions_and_descriptors_pass(string cron)
        => KfpCron.Validate(cron).Should().BeNull();

    [Theory]
    [InlineData("0 * * * *", "seconds first")]
    [InlineData("", "empty")]
    [InlineData("60 0 * * * *", "seconds")]
    [InlineData("0 0 24 * * *", "hours")]
    [InlineData("0 0 0 0 * *", "day of month")]
    [InlineData("0 0 0 1 13 *", "month")]
    [InlineData("0 0 0 1 * 7", "day of week")]
    [InlineData("0 0 5-2 * * *", "range start")]
    [InlineData("0 */0 * * * *", "step")]
    [InlineData("@every soon", "descriptor")]
    [InlineData("0 0 0 1 * * 2026", "6 fields")]
    public void Invalid_expressions_are_explained(string cron, string fragment)
        => KfpCron.Validate(cron).Should().Contain(fragment);
}
