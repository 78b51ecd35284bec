using MlopsGateway.Testing;

namespace MlopsGateway.Docs.Tests;

/// <summary>
/// README.md and docs/**/*.md cannot show C# that does not compile: every C# block is a copy of a
/// <c>#region Snippet:Name</c> in compiled code (the snippets in <c>Snippets/</c> also run against Local
/// where they need no server). A block without a snippet, with an unknown one, or that differs from its
/// snippet fails here — including blocks added later. <c>MLOPS_UPDATE_DOCS=1</c> copies the sources in.
/// </summary>
public sealed class DocSnippetTests
{
    private static IEnumerable<string> DocFiles()
    {
        var root = SharedPaths.RepoRoot;
        yield return Path.Combine(root, "README.md");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            yield return file;
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(SharedPaths.RepoRoot, path).Replace('\\', '/');

    private static string[] ReadLines(string path) => File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    private static Dictionary<string, Snippet> Snippets(List<string> problems)
    {
        var all = SnippetSources.ReadAll(SharedPaths.RepoRoot);
        foreach (var duplicate in all.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            problems.Add($"Snippet:{duplicate.Key} is defined more than once: {string.Join(", ", duplicate.Select(s => s.Location))}.");
        }
        return all.GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    [Fact]
    public void Every_csharp_block_in_the_docs_is_a_compiled_snippet_and_matches_it()
    {
        var problems = new List<string>();
        var snippets = Snippets(problems);
        var update = Environment.GetEnvironmentVariable("MLOPS_UPDATE_DOCS") == "1";
        foreach (var file in DocFiles())
        {
            var lines = ReadLines(file);
            var result = DocSnippetChecker.Check(Relative(file), lines, snippets);
            if (update && !result.Updated.SequenceEqual(lines))
            {
                File.WriteAllText(file, string.Join('\n', result.Updated));
                result = DocSnippetChecker.Check(Relative(file), ReadLines(file), snippets);
            }
            problems.AddRange(result.Problems);
        }

        problems.Should().BeEmpty("every C# block in README.md and docs/ must be a compiled snippet (see README, Developing)");
    }

    [Fact]
    public void Every_snippet_is_shown_in_a_doc()
    {
        var problems = new List<string>();
        var snippets = Snippets(problems);
        var used = DocFiles().SelectMany(f => DocSnippetChecker.Check(Relative(f), ReadLines(f), snippets).Used).ToHashSet(StringComparer.Ordinal);

        snippets.Values.Where(s => !used.Contains(s.Name)).Select(s => $"{s.Location}: Snippet:{s.Name} is shown in no doc; remove the region or show it.")
            .Should().BeEmpty();
        problems.Should().BeEmpty();
    }

    private static readonly Dictionary<string, Snippet> s_sample = new(StringComparer.Ordinal)
    {
        ["Hello"] = new Snippet("Hello", ["Console.WriteLine(\"hello\");", "", "return 0;"], "Sample.cs:1"),
    };

    [Fact]
    public void The_checker_flags_blocks_without_a_language_without_a_snippet_with_an_unknown_snippet_or_drifted()
    {
        string[] doc =
        [
            "# Page", "```", "ls", "```",
            "```csharp", "var x = 1;", "```",
            "```cs Snippet:Missing", "x();", "```",
            "```csharp Snippet:Hello", "Console.WriteLine(\"hi\");", "", "return 0;", "```",
            "```json", "{}", "```",
        ];

        var result = DocSnippetChecker.Check("page.md", doc, s_sample);

        result.Problems.Should().HaveCount(4);
        result.Problems[0].Should().StartWith("page.md:2: the code block names no language");
        result.Problems[1].Should().StartWith("page.md:5: a C# block must come from compiled code");
        result.Problems[2].Should().StartWith("page.md:8: no '#region Snippet:Missing'");
        result.Problems[3].Should().StartWith("page.md:11: the block differs from Snippet:Hello (Sample.cs:1) at its line 1: doc has \"Console.WriteLine(\"hi\");\"");
        result.Used.Should().Equal("Missing", "Hello");
    }

    [Fact]
    public void The_checker_rewrites_a_drifted_block_keeping_its_list_indentation_and_everything_else()
    {
        string[] doc = ["- step:", "", "  ~~~~C# Snippet:Hello", "  old();", "  ~~~~", "", "done"];

        var result = DocSnippetChecker.Check("page.md", doc, s_sample);

        result.Updated.Should().Equal("- step:", "", "  ~~~~C# Snippet:Hello", "  Console.WriteLine(\"hello\");", "", "  return 0;", "  ~~~~", "", "done");
        DocSnippetChecker.Check("page.md", result.Updated, s_sample).Problems.Should().BeEmpty();
    }

    [Fact]
    public void Snippet_regions_are_dedented_and_nested_regions_are_left_out()
    {
        string[] source =
        [
            "class C", "{", "    void M()", "    {",
            "        #region Snippet:Outer",
            "        var a = 1;",
            "        #region Snippet:Inner",
            "        if (a > 0)",
            "        {",
            "            a++;",
            "        }",
            "        #endregion",
            "        #endregion",
            "    }", "}",
        ];

        var snippets = SnippetSources.Read("C.cs", source).ToDictionary(s => s.Name);

        snippets["Outer"].Lines.Should().Equal("var a = 1;", "if (a > 0)", "{", "    a++;", "}");
        snippets["Inner"].Lines.Should().Equal("if (a > 0)", "{", "    a++;", "}");
        snippets["Inner"].Location.Should().Be("C.cs:7");
        FluentActions.Invoking(() => SnippetSources.Read("D.cs", ["#region Snippet:Open", "x();"]).ToList())
            .Should().Throw<InvalidOperationException>().WithMessage("D.cs:1: #region Snippet:Open has no #endregion.");
    }
}
