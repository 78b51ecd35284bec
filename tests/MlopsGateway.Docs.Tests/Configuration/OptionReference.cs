using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlopsGateway.Docs.Tests.Configuration;

/// <summary>
/// Renders the option reference of docs/configuration.md from the options types (walked by reflection, so
/// a new option appears without touching this file) and from each registered backend type's declared
/// settings: one complete <c>appsettings.json</c> and tables of every key with its type, default and
/// XML-doc summary.
/// </summary>
internal sealed class OptionReference
{
    /// <summary>One configuration key.</summary>
    public sealed record Row(string Key, string Type, string Default, string Meaning);

    /// <summary>How each backend type appears in the example: its backend name and, for HTTP backends, a URL.</summary>
    private static readonly Dictionary<string, (string Name, string? BaseUrl)> s_exampleBackends = new(StringComparer.OrdinalIgnoreCase)
    {
        ["MLflow"] = ("tracking", "http://mlflow:5000"),
        ["Airflow"] = ("orchestrator", "http://airflow:8080"),
        ["Kubeflow"] = ("kubeflow", "http://ml-pipeline.kubeflow:8888"),
        ["Metaflow"] = ("metaflow", "http://metaflow-metadata:8080"),
        ["Local"] = ("local", null),
    };

    /// <summary>The backend type whose entry shows every common option.</summary>
    public const string FullBackendType = "MLflow";

    /// <summary>Values a configuration must choose, shown instead of a default (keys relative to the section).</summary>
    private static readonly Dictionary<string, JsonNode> s_examples = new(StringComparer.Ordinal)
    {
        ["DefaultBackend"] = "tracking",
        ["Routing:Runs"] = "tracking",
        ["Routing:Pipelines"] = "orchestrator",
        ["Routing:Models"] = "tracking",
    };

    private OptionReference(JsonObject json, IReadOnlyList<Row> rows, IReadOnlyList<(string Type, BackendSetting Setting)> settings)
    {
        Json = json;
        Rows = rows;
        Settings = settings;
    }

    /// <summary>The example: <c>{ "Mlops": { … } }</c>.</summary>
    public JsonObject Json { get; }

    /// <summary>Every key of the core options types.</summary>
    public IReadOnlyList<Row> Rows { get; }

    /// <summary>Every adapter setting, by backend type.</summary>
    public IReadOnlyList<(string Type, BackendSetting Setting)> Settings { get; }

    /// <summary>The top-level keys whose value in <see cref="Json"/> is an example rather than the default (a backend's <c>Type</c> and <c>BaseUrl</c> are examples too).</summary>
    public static IReadOnlyCollection<string> ExampleKeys => s_examples.Keys;

    /// <summary>The configured name of <paramref name="type"/>'s backend in the example.</summary>
    public static string ExampleName(string type) => Example(type).Name;

    private static (string Name, string? BaseUrl) Example(string type)
        => s_exampleBackends.TryGetValue(type, out var example)
            ? example
            : throw new InvalidOperationException($"Backend type '{type}' has no example: add its name and URL to OptionReference.s_exampleBackends.");

    public static OptionReference Build(IEnumerable<BackendTypeRegistration> registrations)
    {
        var types = registrations.ToList();
        var rows = new List<Row>();
        var root = (JsonObject)Walk(new MlopsGatewayOptions(), typeof(MlopsGatewayOptions), "", rows);

        var backends = new JsonObject();
        foreach (var registration in types)
        {
            var (name, baseUrl) = Example(registration.Type);
            var backend = string.Equals(registration.Type, FullBackendType, StringComparison.OrdinalIgnoreCase)
                ? (JsonObject)Walk(new BackendOptions(), typeof(BackendOptions), $"Backends:{name}", [])
                : new JsonObject { ["Type"] = null, ["BaseUrl"] = null };
            backend["Type"] = registration.Type;
            if (baseUrl is null)
            {
                backend.Remove("BaseUrl");
            }
            else
            {
                backend["BaseUrl"] = baseUrl;
            }
            foreach (var setting in registration.Settings)
            {
                backend[setting.Key] = bool.TryParse(setting.Default, out var flag) ? flag : setting.Default;
            }
            backends[name] = backend;
        }
        root["Backends"] = backends;
        return new OptionReference(new JsonObject { ["Mlops"] = root }, rows, [.. types.SelectMany(t => t.Settings.Select(s => (t.Type, s)))]);
    }

    /// <summary>An options object's JSON at its defaults (examples where a value must be chosen), adding a row per key.</summary>
    private static JsonNode Walk(object? defaults, Type type, string path, List<Row> rows)
    {
        var json = new JsonObject();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.MetadataToken))
        {
            if (property.DeclaringType == typeof(BackendOptions) && property.Name == nameof(BackendOptions.Settings))
            {
                continue; // adapter settings: declared by each registration, rendered per backend type
            }
            var key = path.Length == 0 ? property.Name : $"{path}:{property.Name}";
            var value = defaults is null ? null : property.GetValue(defaults);
            var propertyType = property.PropertyType;
            if (Scalar(propertyType) is { } typeName)
            {
                json[property.Name] = s_examples.TryGetValue(key, out var example) ? example.DeepClone() : ToJson(value);
                rows.Add(new Row(key, typeName, Show(value), XmlDocs.Summary(property)));
            }
            else if (DictionaryValueType(propertyType) is { } valueType)
            {
                json[property.Name] = new JsonObject();
                // An entry's placeholder is the singular of the map's name: Backends:{backend}, Headers:{header}.
                var entry = $"{key}:{{{property.Name.ToLowerInvariant().TrimEnd('s')}}}";
                if (Scalar(valueType) is { } valueTypeName)
                {
                    rows.Add(new Row(entry, valueTypeName, "empty", XmlDocs.Summary(property)));
                }
                else
                {
                    rows.Add(new Row(entry, "object", "empty", XmlDocs.Summary(property)));
                    Walk(Activator.CreateInstance(valueType), valueType, entry, rows);
                }
            }
            else if (propertyType.IsClass && propertyType != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                json[property.Name] = Walk(value ?? Activator.CreateInstance(propertyType), propertyType, key, rows);
            }
            else
            {
                throw new NotSupportedException($"{type.Name}.{property.Name} is a {propertyType.Name}: teach OptionReference how configuration writes it.");
            }
        }
        return json;
    }

    private static string? Scalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) ? "string"
            : t == typeof(bool) ? "`true`/`false`"
            : t == typeof(int) || t == typeof(long) ? "integer"
            : t == typeof(double) ? "number"
            : t == typeof(TimeSpan) ? "TimeSpan"
            : t.IsEnum ? string.Join(" \\| ", Enum.GetNames(t).Select(n => $"`{n}`"))
            : null;
    }

    private static Type? DictionaryValueType(Type type)
        => type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        int i => i,
        long l => l,
        double d => d,
        TimeSpan t => FormatTimeSpan(t),
        Enum e => e.ToString(),
        _ => throw new NotSupportedException($"No JSON form for {value.GetType().Name}."),
    };

    private static string Show(object? value) => value switch
    {
        null => "—",
        bool b => b ? "`true`" : "`false`",
        TimeSpan t => $"`{FormatTimeSpan(t)}`",
        IFormattable f => $"`{f.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => $"`{value}`",
    };

    /// <summary><c>[d.]hh:mm:ss[.fff]</c>: what the configuration binder reads (<see cref="TimeSpan.Parse(string)"/>), without trailing zeros.</summary>
    public static string FormatTimeSpan(TimeSpan value)
    {
        var days = value.Days > 0 ? $"{value.Days.ToString(CultureInfo.InvariantCulture)}." : "";
        var fraction = value.Ticks % TimeSpan.TicksPerSecond;
        var tail = fraction == 0 ? "" : "." + fraction.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0').PadRight(3, '0');
        return $"{days}{value.Hours:00}:{value.Minutes:00}:{value.Seconds:00}{tail}";
    }

    /// <summary>The Markdown of the generated section.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("A complete, valid configuration: every option at its default, except the names, types and URLs a");
        md.AppendLine("configuration has to choose (`DefaultBackend`, `Routing`, each backend's `Type` and `BaseUrl`); `null` means");
        md.AppendLine($"not set. `{ExampleName(FullBackendType)}` shows every option any backend takes; the others show what their type adds.");
        md.AppendLine("`TimeSpan` values are strings `[d.]hh:mm:ss[.fff]`: `\"00:00:00.500\"` is half a second, `\"00:01:40\"` is 100");
        md.AppendLine("seconds, `\"1.00:00:00\"` is a day.");
        md.AppendLine();
        md.AppendLine("```json");
        md.AppendLine(Json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("| key | type | default | meaning |");
        md.AppendLine("|---|---|---|---|");
        foreach (var row in Rows)
        {
            md.AppendLine($"| `{row.Key}` | {row.Type} | {row.Default} | {row.Meaning} |");
        }
        md.AppendLine();
        md.AppendLine("Adapter settings sit beside the common keys of a backend of that type (`Mlops:Backends:{backend}:ApiVersion`):");
        md.AppendLine();
        md.AppendLine("| type | key | default | meaning |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (type, setting) in Settings)
        {
            md.AppendLine($"| {type} | `{setting.Key}` | {(setting.Default is null ? "—" : $"`{setting.Default}`")} | {setting.Description.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }
        md.AppendLine();
        return md.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }
}
