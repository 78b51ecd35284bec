using System.Text.Json.Nodes;
using MlopsGateway.Local;

namespace MlopsGateway.Cli.Tests;

/// <summary>
/// A temporary working directory with an <c>mlops.json</c> naming Local backends by absolute path, so tests
/// run in parallel without touching the process's working directory. Deleted on dispose.
/// </summary>
internal sealed class Workspace : IDisposable
{
    private readonly JsonObject _backends = [];
    private string? _default;

    public Workspace(params string[] localBackends)
    {
        Directory.CreateDirectory(Path);
        foreach (var name in localBackends)
        {
            AddLocal(name);
        }
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlops-cli-tests-{Guid.NewGuid():N}");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string DatabaseOf(string backend) => File(backend + ".db");

    public Workspace AddLocal(string name)
    {
        _default ??= name;
        return Add(name, new JsonObject { ["Type"] = "Local", [nameof(Path)] = DatabaseOf(name) });
    }

    public Workspace Add(string name, JsonObject backend)
    {
        _default ??= name;
        _backends[name] = backend;
        Write();
        return this;
    }

    public Workspace Default(string name)
    {
        _default = name;
        Write();
        return this;
    }

    private void Write()
    {
        var section = new JsonObject { ["Backends"] = _backends.DeepClone() };
        if (_default is not null)
        {
            section["DefaultBackend"] = _default;
        }
        System.IO.File.WriteAllText(File("mlops.json"), new JsonObject { ["Mlops"] = section }.ToJsonString());
    }

    public CliHarness Cli() => new() { WorkingDirectory = Path };

    /// <summary>Opens a Local backend directly (the library, no CLI) to seed or inspect data.</summary>
    public LocalBackend Open(string backend = "local") => LocalBackend.Open(DatabaseOf(backend), name: backend);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
