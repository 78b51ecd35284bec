using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MlopsGateway.Testing;

namespace MlopsGateway.Tests;

/// <summary>
/// docs/capabilities.md is generated from the backends' declared capabilities, so it cannot drift:
/// this test renders the matrix and fails when the file differs. Regenerate with
/// <c>MLOPS_UPDATE_DOCS=1 dotnet test --filter CapabilityMatrix</c>.
/// </summary>
public sealed class CapabilityMatrixTests
{
    private static readonly (string Name, string Note, Action<BackendOptions> Configure)[] s_backends =
    [
        ("Local", "", o => { o.Type = "Local"; o.Settings["Path"] = ":memory:"; }),
        ("MLflow", "", o => { o.Type = "MLflow"; o.BaseUrl = "http://127.0.0.1:1/"; }),
        ("Airflow", "", o => { o.Type = "Airflow"; o.BaseUrl = "http://127.0.0.1:1/"; o.Settings["ApiVersion"] = "v2"; }),
        ("Kubeflow", "with `Endpoints:ModelRegistry`", o => { o.Type = "Kubeflow"; o.BaseUrl = "http://127.0.0.1:1/"; o.Endpoints["ModelRegistry"] = new EndpointOptions { BaseUrl = "http://127.0.0.1:2/" }; }),
        ("Metaflow", "", o => { o.Type = "Metaflow"; o.BaseUrl = "http://127.0.0.1:1/"; }),
    ];

    internal static string Render()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMlopsGateway(o =>
        {
            o.DefaultBackend = "Local";
            foreach (var (name, _, configure) in s_backends)
            {
                var options = new BackendOptions();
                configure(options);
                o.Backends[name] = options;
            }
        }).AddLocal().AddMLflow().AddAirflow().AddKubeflow().AddMetaflow();
        using var sp = services.BuildServiceProvider();
        var provider = sp.GetRequiredService<IMlopsBackendProvider>();
        var backends = s_backends.Select(b => (b.Name, b.Note, Caps: provider.Get(b.Name).Capabilities)).ToArray();

        var sb = new StringBuilder();
        sb.AppendLine("# Capability matrix");
        sb.AppendLine();
        sb.AppendLine("Generated from each backend's declared `Capabilities` by `CapabilityMatrixTests` (it fails when this file");
        sb.AppendLine("differs from the code; regenerate with `MLOPS_UPDATE_DOCS=1 dotnet test --filter CapabilityMatrix`).");
        sb.AppendLine("✓ native · ≈ emulated by the gateway · — not supported (throws `MlopsNotSupportedException` before any request).");
        sb.AppendLine("Capabilities that depend on the server's version are refined at run time; this is the statically declared set.");
        sb.AppendLine();
        sb.Append("| area | capability |");
        foreach (var b in backends)
        {
            sb.Append($" {b.Name}{(b.Note.Length > 0 ? $" ({b.Note})" : "")} |");
        }
        sb.AppendLine();
        sb.Append("|---|---|").AppendLine(string.Concat(backends.Select(_ => ":---:|")));
        foreach (var capability in Enum.GetValues<MlopsCapability>())
        {
            sb.Append($"| {CapabilityAreas.Of(capability)} | `{capability}` |");
            foreach (var b in backends)
            {
                sb.Append(b.Caps[capability] switch { CapabilitySupport.Native => " ✓ |", CapabilitySupport.Emulated => " ≈ |", _ => " — |" });
            }
            sb.AppendLine();
        }
        sb.AppendLine();
        sb.AppendLine("## Limits checked before sending");
        sb.AppendLine();
        sb.Append("| limit |").AppendLine(string.Concat(backends.Select(b => $" {b.Name} |")));
        sb.Append("|---|").AppendLine(string.Concat(backends.Select(_ => "---:|")));
        void Row(string label, Func<BackendLimits, object?> value)
            => sb.Append($"| {label} |").AppendLine(string.Concat(backends.Select(b => $" {value(b.Caps.Limits)?.ToString() ?? "—"} |")));
        Row("metrics per log request", l => l.MaxMetricsPerBatch);
        Row("params per log request", l => l.MaxParamsPerBatch);
        Row("tags per log request", l => l.MaxTagsPerBatch);
        Row("entities per log request", l => l.MaxEntitiesPerBatch);
        Row("key length", l => l.MaxKeyLength);
        Row("param value length", l => l.MaxParamValueLength);
        Row("tag value length", l => l.MaxTagValueLength);
        Row("max page size", l => l.MaxPageSize);
        Row("default page size", l => l.DefaultPageSize);
        Row("log batches in flight (helper)", l => l.DefaultParallelBatches);
        var filters = backends.Where(b => b.Caps.ClientSideFilters.Count > 0).ToArray();
        if (filters.Length > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Filters applied client-side");
            sb.AppendLine();
            foreach (var b in filters)
            {
                sb.AppendLine($"- **{b.Name}**: {string.Join("; ", b.Caps.ClientSideFilters)}");
            }
        }
        return sb.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    [Fact]
    public void Docs_capability_matrix_matches_the_code()
    {
        var path = Path.Combine(SharedPaths.RepoRoot, "docs", "capabilities.md");
        var expected = Render();
        if (Environment.GetEnvironmentVariable("MLOPS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
        }
        File.Exists(path).Should().BeTrue("docs/capabilities.md is generated by this test");
        File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Should().Be(expected,
            "docs/capabilities.md must match the declared capabilities; regenerate it with MLOPS_UPDATE_DOCS=1 dotnet test --filter CapabilityMatrix");
    }
}
