namespace MlopsGateway.Docs.Tests;

/// <summary>One fenced code block of a Markdown file.</summary>
/// <param name="FenceLine">The 0-based index of the opening fence line.</param>
/// <param name="CloseLine">The 0-based index of the closing fence line.</param>
/// <param name="Indent">The opening fence's indentation (a block inside a list item is indented); the body carries it too.</param>
/// <param name="Info">The info string after the fence (<c>csharp Snippet:Name</c>).</param>
/// <param name="Body">The body lines with <paramref name="Indent"/> removed.</param>
internal sealed record CodeBlock(int FenceLine, int CloseLine, string Indent, string Info, IReadOnlyList<string> Body)
{
    private static readonly HashSet<string> s_csharp = new(StringComparer.OrdinalIgnoreCase) { "csharp", "cs", "c#" };

    /// <summary>The language: the info string's first word, or empty.</summary>
    public string Language => Info.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

    /// <summary>Whether the block is C#.</summary>
    public bool IsCSharp => s_csharp.Contains(Language);

    /// <summary>The <c>Snippet:Name</c> the info string names, if any.</summary>
    public string? SnippetName => Info.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .FirstOrDefault(w => w.StartsWith(SnippetSources.Prefix, StringComparison.Ordinal))?[SnippetSources.Prefix.Length..];
}

/// <summary>Finds the fenced code blocks (backtick or tilde fences, CommonMark style) of a Markdown text.</summary>
internal static class MarkdownCodeBlocks
{
    public static IReadOnlyList<CodeBlock> Parse(IReadOnlyList<string> lines)
    {
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!TryOpenFence(lines[i], out var indent, out var fence, out var info))
            {
                continue;
            }
            var close = i + 1;
            while (close < lines.Count && !IsCloseFence(lines[close], fence))
            {
                close++;
            }
            var body = lines.Skip(i + 1).Take(close - i - 1).Select(l => StripIndent(l, indent.Length)).ToArray();
            blocks.Add(new CodeBlock(i, close, indent, info, body));
            i = close;
        }
        return blocks;
    }

    private static bool TryOpenFence(string line, out string indent, out string fence, out string info)
    {
        var trimmed = line.TrimStart(' ');
        indent = line[..(line.Length - trimmed.Length)];
        var marker = trimmed.Length > 0 ? trimmed[0] : '\0';
        var length = marker is '`' or '~' ? trimmed.TakeWhile(c => c == marker).Count() : 0;
        fence = length >= 3 ? new string(marker, length) : "";
        info = length >= 3 ? trimmed[length..].Trim() : "";
        return length >= 3 && !(marker == '`' && info.Contains('`', StringComparison.Ordinal));
    }

    private static bool IsCloseFence(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    private static string StripIndent(string line, int indent)
    {
        var spaces = line.TakeWhile(c => c == ' ').Count();
        return line[Math.Min(spaces, indent)..];
    }
}
