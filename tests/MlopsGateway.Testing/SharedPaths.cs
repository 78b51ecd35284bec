namespace MlopsGateway.Testing;

/// <summary>Finds the repository root, the sibling <c>../shared</c> folder (API references, recordings, specs) and the pinned Prism install.</summary>
public static class SharedPaths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The folder holding Gateway.sln.</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The shared folder: <c>MLOPS_SHARED_DIR</c> when set, else <c>../shared</c> beside the repository.</summary>
    public static string SharedDir =>
        Environment.GetEnvironmentVariable("MLOPS_SHARED_DIR") is { Length: > 0 } dir
            ? dir
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>Whether the shared folder is present.</summary>
    public static bool SharedAvailable => Directory.Exists(Path.Combine(SharedDir, "recordings"));

    /// <summary>A file under the shared folder, e.g. <c>Shared("specs", "kfp-v2beta1.swagger.json")</c>.</summary>
    public static string Shared(params string[] parts) => Path.Combine([SharedDir, .. parts]);

    /// <summary>The Prism executable installed by <c>npm ci</c> in tests/prism.</summary>
    public static string PrismExecutable => Path.Combine(RepoRoot, "tests", "prism", "node_modules", ".bin", "prism");

    /// <summary>Whether Prism is installed.</summary>
    public static bool PrismAvailable => File.Exists(PrismExecutable);

    /// <summary>Whether this is a CI run, where tests needing shared data or Prism must run and fail rather than skip.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Gateway.sln not found above {AppContext.BaseDirectory}.");
    }
}
