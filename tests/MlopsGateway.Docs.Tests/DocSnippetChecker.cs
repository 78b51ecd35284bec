namespace MlopsGateway.Docs.Tests;

/// <summary>
/// Checks Markdown files against the compiled snippets: every fenced block names its language, every C#
/// block names a snippet (<c>```csharp Snippet:Name</c>) that exists, and its body equals the snippet.
/// Can also rewrite drifted bodies from the snippets (the sources are the truth).
/// </summary>
internal static class DocSnippetChecker
{
    /// <summary>What is wrong with one document, and the document with every known snippet written in.</summary>
    /// <param name="Problems">One message per problem, each starting with <c>path:line</c>.</param>
    /// <param name="Updated">The document's lines with each named block's body replaced by its snippet.</param>
    /// <param name="Used">The snippet names the document uses.</param>
    public sealed record Result(IReadOnlyList<string> Problems, IReadOnlyList<string> Updated, IReadOnlyList<string> Used);

    public static Result Check(string path, IReadOnlyList<string> lines, IReadOnlyDictionary<string, Snippet> snippets)
    {
        var problems = new List<string>();
        var used = new List<string>();
        var updated = new List<string>();
        var copied = 0;
        foreach (var block in MarkdownCodeBlocks.Parse(lines))
        {
            updated.AddRange(lines.Skip(copied).Take(block.FenceLine + 1 - copied));
            copied = block.FenceLine + 1;
            var at = $"{path}:{block.FenceLine + 1}";
            if (block.Language.Length == 0)
            {
                problems.Add($"{at}: the code block names no language; write ```csharp Snippet:Name for C#, or ```bash / ```json / ```text for anything else.");
                continue;
            }
            if (!block.IsCSharp)
            {
                continue;
            }
            if (block.SnippetName is not { } name)
            {
                problems.Add($"{at}: a C# block must come from compiled code: put the code in a '#region Snippet:SomeName' … '#endregion' in a test (tests/MlopsGateway.Docs.Tests/Snippets) or sample, open the block with ```{block.Language} Snippet:SomeName, then run MLOPS_UPDATE_DOCS=1 dotnet test tests/MlopsGateway.Docs.Tests to copy it in.");
                continue;
            }
            used.Add(name);
            if (!snippets.TryGetValue(name, out var snippet))
            {
                problems.Add($"{at}: no '#region Snippet:{name}' in any C# file under {string.Join(" or ", SnippetSources.Roots.Select(r => r + "/"))}.");
                continue;
            }
            if (!block.Body.Select(l => l.TrimEnd()).SequenceEqual(snippet.Lines))
            {
                problems.Add($"{at}: the block differs from Snippet:{name} ({snippet.Location}){FirstDifference(block.Body, snippet.Lines)}; the source is the truth: run MLOPS_UPDATE_DOCS=1 dotnet test tests/MlopsGateway.Docs.Tests to copy it in.");
            }
            updated.AddRange(snippet.Lines.Select(l => l.Length == 0 ? l : block.Indent + l));
            copied = block.CloseLine;
        }
        updated.AddRange(lines.Skip(copied));
        return new Result(problems, updated, used);
    }

    private static string FirstDifference(IReadOnlyList<string> doc, IReadOnlyList<string> code)
    {
        for (var i = 0; i < Math.Max(doc.Count, code.Count); i++)
        {
            var d = i < doc.Count ? doc[i].TrimEnd() : null;
            var c = i < code.Count ? code[i] : null;
            if (d != c)
            {
                return $" at its line {i + 1}: doc has {Show(d)}, code has {Show(c)}";
            }
        }
        return "";
    }

    private static string Show(string? line) => line is null ? "nothing" : $"\"{line.Trim()}\"";
}
