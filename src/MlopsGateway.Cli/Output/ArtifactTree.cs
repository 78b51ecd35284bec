using System.Runtime.CompilerServices;
using Spectre.Console;

namespace MlopsGateway.Cli;

/// <summary>Walks a run's artifact directories (the gateway lists one level at a time) and draws them as a tree.</summary>
internal static class ArtifactTree
{
    /// <summary>Every file under the run's artifact root, depth first, lazily.</summary>
    /// <param name="runs">The run client of the run's backend.</param>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public static async IAsyncEnumerable<ArtifactInfo> ListFilesAsync(IRunClient runs, RunRef run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directories = new Stack<string?>();
        directories.Push(null);
        while (directories.TryPop(out var directory))
        {
            await foreach (var entry in runs.ListArtifactsAsync(run, directory, cancellationToken))
            {
                if (entry.IsDirectory)
                {
                    directories.Push(entry.Path);
                }
                else
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>The files as a tree of their path segments, with sizes.</summary>
    /// <param name="files">The files.</param>
    public static Tree Render(IEnumerable<ArtifactInfo> files)
    {
        var tree = new Tree("artifacts");
        var nodes = new Dictionary<string, TreeNode>(StringComparer.Ordinal);
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var segments = file.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            IHasTreeNodes parent = tree;
            for (var i = 0; i < segments.Length - 1; i++)
            {
                var key = string.Join('/', segments[..(i + 1)]);
                if (!nodes.TryGetValue(key, out var node))
                {
                    node = parent.AddNode(Markup.Escape(segments[i] + "/"));
                    nodes[key] = node;
                }
                parent = node;
            }
            parent.AddNode(Markup.Escape(segments[^1]) + (file.Size is { } size ? $" [grey]{Markup.Escape(Format.Bytes(size))}[/]" : ""));
        }
        return tree;
    }
}
