namespace MlopsGateway.Dashboard.Tests;

/// <summary>
/// A fact that needs the Aspire dashboard program restored from NuGet (<c>Aspire.Dashboard.Sdk.linux-x64</c>, a
/// <c>PackageDownload</c> of this project). Skipped with a reason where it is absent and <c>CI</c> is not
/// <c>true</c>; under <c>CI=true</c> it runs and fails instead.
/// </summary>
public sealed class DashboardFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the dashboard program is absent outside CI.</summary>
    public DashboardFactAttribute()
    {
        if (!AspireDashboard.Available && !SharedPaths.IsCi)
        {
            Skip = $"Needs the Aspire dashboard from the NuGet package Aspire.Dashboard.Sdk.linux-x64 (restore this project on linux-x64; expected at {AspireDashboard.ExecutablePath}).";
        }
    }
}
