using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MlopsGateway.Docs.Tests.Configuration;

/// <summary>Reads the <c>&lt;summary&gt;</c> of a member from the XML documentation files the src projects generate (copied beside the test assembly).</summary>
internal static partial class XmlDocs
{
    private static readonly Lazy<Dictionary<string, XElement>> s_members = new(Load);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private static Dictionary<string, XElement> Load()
        => Directory.EnumerateFiles(AppContext.BaseDirectory, "MlopsGateway*.xml")
            .SelectMany(f => XDocument.Load(f).Descendants("member"))
            .GroupBy(m => (string)m.Attribute("name")!)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>The summary of <paramref name="property"/> as one line of Markdown; fails when it has none (every public member is documented).</summary>
    public static string Summary(PropertyInfo property)
    {
        var id = $"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}";
        return s_members.Value.TryGetValue(id, out var member) && member.Element("summary") is { } summary
            ? Whitespace().Replace(Render(summary), " ").Trim()
            : throw new InvalidOperationException($"No XML documentation for {id}.");
    }

    private static string Render(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value.Replace("|", "\\|", StringComparison.Ordinal),
                XElement { Name.LocalName: "c" } c => $"`{c.Value}`",
                XElement { Name.LocalName: "see" or "seealso" } see when see.Attribute("langword") is { } word => $"`{word.Value}`",
                XElement { Name.LocalName: "see" or "seealso" } see when see.Attribute("cref") is { } cref => $"`{cref.Value.Split('.', ':')[^1]}`",
                XElement { Name.LocalName: "paramref" or "typeparamref" } p => $"`{p.Attribute("name")?.Value}`",
                XElement e => Render(e),
                _ => "",
            });
        }
        return text.ToString();
    }
}
