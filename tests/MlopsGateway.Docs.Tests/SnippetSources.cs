using System.Text.RegularExpressions;

namespace MlopsGateway.Docs.Tests;

/// <summary>A snippet: the code between <c>#region Snippet:Name</c> and its <c>#endregion</c> in a compiled file.</summary>
/// <param name="Name">The name after <c>Snippet:</c>.</param>
/// <param name="Lines">The code, with the common indentation and any nested region lines removed.</param>
/// <param name="Location">Where it is defined (<c>path:line</c>, relative to the repository).</param>
internal sealed record Snippet(string Name, IReadOnlyList<string> Lines, string Location);

/// <summary>Reads the snippet regions of every C# file under <c>tests/</c> and <c>samples/</c> (everything there is compiled by <c>dotnet build</c>).</summary>
internal static partial class SnippetSources
{
    public const string Prefix = "Snippet:";

    public static readonly string[] Roots = ["tests", "samples"];

    [GeneratedRegex(@"^\s*#region\s+Snippet:(?<name>\S+)\s*$")]
    private static partial Regex SnippetStart();

    [GeneratedRegex(@"^\s*#region\b")]
    private static partial Regex AnyRegionStart();

    [GeneratedRegex(@"^\s*#endregion\b")]
    private static partial Regex RegionEnd();

    public static IReadOnlyList<Snippet> ReadAll(string repoRoot)
        => [.. Roots.Select(r => Path.Combine(repoRoot, r)).Where(Directory.Exists)
            .SelectMany(r => Directory.EnumerateFiles(r, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => Read(Path.GetRelativePath(repoRoot, f).Replace('\\', '/'), File.ReadAllLines(f)))];

    /// <summary>The snippets of one file; an unclosed snippet region is an error naming the file.</summary>
    public static IEnumerable<Snippet> Read(string path, IReadOnlyList<string> lines)
    {
        // A stack of open regions: null for an ordinary region, the snippet being collected otherwise.
        var open = new Stack<(string? Name, int Line, List<string> Body)>();
        var snippets = new List<Snippet>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (SnippetStart().Match(line) is { Success: true } start)
            {
                open.Push((start.Groups["name"].Value, i + 1, []));
            }
            else if (AnyRegionStart().IsMatch(line))
            {
                open.Push((null, i + 1, []));
            }
            else if (RegionEnd().IsMatch(line))
            {
                if (open.Count == 0)
                {
                    throw new InvalidOperationException($"{path}:{i + 1}: #endregion without #region.");
                }
                var (name, at, body) = open.Pop();
                if (name is not null)
                {
                    snippets.Add(new Snippet(name, Dedent(body), $"{path}:{at}"));
                }
            }
            else
            {
                foreach (var region in open.Where(r => r.Name is not null))
                {
                    region.Body.Add(line);
                }
            }
        }
        if (open.FirstOrDefault(r => r.Name is not null) is { Name: not null } unclosed)
        {
            throw new InvalidOperationException($"{path}:{unclosed.Line}: #region Snippet:{unclosed.Name} has no #endregion.");
        }
        return snippets;
    }

    private static string[] Dedent(List<string> body)
    {
        var lines = body.Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        var indent = lines.Where(l => l.Length > 0).Select(l => l.TakeWhile(char.IsWhiteSpace).Count()).DefaultIfEmpty(0).Min();
        return [.. lines.Select(l => l.Length == 0 ? l : l[indent..])];
    }
}
