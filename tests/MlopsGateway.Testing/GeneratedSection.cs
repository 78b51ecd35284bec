using FluentAssertions;

namespace MlopsGateway.Testing;

/// <summary>
/// A part of a doc file that a test renders from code, between a begin and an end marker: the test compares it with
/// the file and, when <c>MLOPS_UPDATE_DOCS=1</c>, writes the rendering in first — so the doc cannot drift from the code.
/// </summary>
public static class GeneratedSection
{
    /// <summary>The section as the file holds it and as the code renders it (after updating the file when asked to).</summary>
    /// <param name="path">The doc file.</param>
    /// <param name="begin">The line that opens the section (it says how to regenerate).</param>
    /// <param name="end">The line that closes it.</param>
    /// <param name="rendered">The section's content, between the markers.</param>
    public static (string Actual, string Expected) Read(string path, string begin, string end, string rendered)
    {
        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        (start >= 0 && stop > start).Should().BeTrue($"{Path.GetFileName(path)} holds the generated section between '{begin}' and '{end}'");
        var expected = $"{begin}\n{rendered}{end}";
        var actual = text[start..(stop + end.Length)];
        if (actual != expected && Environment.GetEnvironmentVariable("MLOPS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text[..start] + expected + text[(stop + end.Length)..]);
            actual = expected;
        }
        return (actual, expected);
    }
}
