namespace MlopsGateway.Local.Storage;

/// <summary>
/// Files of the Local backend under one root directory: <c>runs/{seq}/…</c> for run artifacts and
/// <c>models/{modelId}/{version}/…</c> for model-version files. Caller paths are relative, use <c>/</c>,
/// and are checked twice: no empty, <c>.</c> or <c>..</c> segment, no backslash, colon or rooted path;
/// then the resolved full path must still lie under its base directory.
/// </summary>
internal sealed class ArtifactStore
{
    public ArtifactStore(string root, bool deleteOnDispose)
    {
        Root = Path.GetFullPath(root);
        DeleteOnDispose = deleteOnDispose;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public bool DeleteOnDispose { get; }

    public string RunDirectory(long seq) => Path.Combine(Root, "runs", seq.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public string VersionDirectory(long modelId, long version)
        => Path.Combine(Root, "models", modelId.ToString(System.Globalization.CultureInfo.InvariantCulture), version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Checks a caller's relative path; returns it normalised (no leading/trailing '/'), or null with <paramref name="error"/>.</summary>
    public static string? Normalize(string? path, bool allowRoot, out string error)
    {
        error = "";
        var trimmed = (path ?? "").Trim('/');
        if (trimmed.Length == 0)
        {
            if (allowRoot)
            {
                return "";
            }
            error = "The artifact path must name a file.";
            return null;
        }
        if (trimmed.Contains('\\', StringComparison.Ordinal) || trimmed.Contains(':', StringComparison.Ordinal) || trimmed.Contains('\0', StringComparison.Ordinal))
        {
            error = $"The artifact path '{path}' must use '/' separators and contain no ':' or '\\'.";
            return null;
        }
        foreach (var segment in trimmed.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                error = $"The artifact path '{path}' must be relative without empty, '.' or '..' segments.";
                return null;
            }
        }
        return trimmed;
    }

    /// <summary>The full path of <paramref name="relative"/> under <paramref name="baseDirectory"/>, or null when it would escape it.</summary>
    public static string? Resolve(string baseDirectory, string relative)
    {
        var baseFull = Path.GetFullPath(baseDirectory);
        var full = Path.GetFullPath(Path.Combine(baseFull, relative));
        if (full == baseFull)
        {
            return full;
        }
        var prefix = baseFull.EndsWith(Path.DirectorySeparatorChar) ? baseFull : baseFull + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>Streams <paramref name="content"/> to a temporary file beside the target, then moves it into place (readers never see half a file).</summary>
    public static async Task WriteAsync(string fullPath, Stream content, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".upload-{Guid.NewGuid():N}.tmp");
        try
        {
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static Stream? OpenRead(string fullPath)
        => File.Exists(fullPath)
            ? new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous)
            : null;

    /// <summary>The direct children of <paramref name="relativeDirectory"/> under <paramref name="baseDirectory"/>, sorted, with base-relative paths.</summary>
    public static List<ArtifactInfo> List(string baseDirectory, string relativeDirectory)
    {
        var full = Resolve(baseDirectory, relativeDirectory);
        var result = new List<ArtifactInfo>();
        if (full is null || !Directory.Exists(full))
        {
            return result;
        }
        var prefix = relativeDirectory.Length == 0 ? "" : relativeDirectory + "/";
        foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith(".upload-", StringComparison.Ordinal))
            {
                continue;
            }
            result.Add(entry is FileInfo file
                ? new ArtifactInfo(prefix + file.Name, false, file.Length)
                : new ArtifactInfo(prefix + entry.Name, true));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return result;
    }

    /// <summary>Copies a file (into <paramref name="destinationDirectory"/> under its own name) or a directory's contents, recursively.</summary>
    public static void CopyInto(string source, string destinationDirectory)
    {
        Directory.CreateDirectory(destinationDirectory);
        if (File.Exists(source))
        {
            File.Copy(source, Path.Combine(destinationDirectory, Path.GetFileName(source)), overwrite: true);
            return;
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var target = Path.Combine(destinationDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    public static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public void DeleteRoot()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
