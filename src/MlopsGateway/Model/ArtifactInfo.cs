namespace MlopsGateway;

/// <summary>An entry in a run's artifact tree.</summary>
/// <param name="Path">Run-relative path with <c>/</c> separators.</param>
/// <param name="IsDirectory">Whether the entry is a directory (list it with this path to descend).</param>
/// <param name="Size">The file size in bytes, when known; <see langword="null"/> for directories.</param>
public sealed record ArtifactInfo(string Path, bool IsDirectory, long? Size = null);
