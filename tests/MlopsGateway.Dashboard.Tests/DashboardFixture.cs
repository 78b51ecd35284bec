namespace MlopsGateway.Dashboard.Tests;

/// <summary>One dashboard for the test class, started when the program is there and stopped by its process id afterwards.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private AspireDashboard? _dashboard;

    internal AspireDashboard Dashboard => _dashboard
        ?? throw new InvalidOperationException($"The Aspire dashboard program is missing at {AspireDashboard.ExecutablePath}: restore tests/MlopsGateway.Dashboard.Tests (NuGet Aspire.Dashboard.Sdk.linux-x64).");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (AspireDashboard.Available)
        {
            _dashboard = await AspireDashboard.StartAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }
    }
}
