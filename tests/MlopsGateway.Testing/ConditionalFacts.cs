namespace MlopsGateway.Testing;

/// <summary>
/// A fact that needs <c>../shared</c> (recordings, specs). Skipped with a reason where the folder is
/// absent (a user's fresh clone), but never when <c>CI=true</c>: there it runs and fails if the data is missing.
/// </summary>
public sealed class SharedFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the shared folder is absent outside CI.</summary>
    public SharedFactAttribute()
    {
        if (!SharedPaths.SharedAvailable && !SharedPaths.IsCi)
        {
            Skip = $"Needs the shared folder ({SharedPaths.SharedDir}) with recordings and specs; set MLOPS_SHARED_DIR or clone it beside the repository.";
        }
    }
}

/// <summary>A theory that needs <c>../shared</c>; see <see cref="SharedFactAttribute"/>.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the shared folder is absent outside CI.</summary>
    public SharedTheoryAttribute()
    {
        if (!SharedPaths.SharedAvailable && !SharedPaths.IsCi)
        {
            Skip = $"Needs the shared folder ({SharedPaths.SharedDir}) with recordings and specs; set MLOPS_SHARED_DIR or clone it beside the repository.";
        }
    }
}

/// <summary>
/// A fact that needs Prism (installed by <c>npm ci --prefix tests/prism</c>) and the official specs in
/// <c>../shared</c>. Skipped with a reason when either is absent outside CI; under <c>CI=true</c> it runs and fails instead.
/// </summary>
public sealed class PrismFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when Prism or the specs are absent outside CI.</summary>
    public PrismFactAttribute()
    {
        if ((!SharedPaths.PrismAvailable || !SharedPaths.SharedAvailable) && !SharedPaths.IsCi)
        {
            Skip = "Needs Prism (run `npm ci --prefix tests/prism`) and the shared specs folder.";
        }
    }
}
