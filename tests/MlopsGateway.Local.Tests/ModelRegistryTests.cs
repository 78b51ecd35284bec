namespace MlopsGateway.Local.Tests;

public sealed class ModelRegistryTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private LocalBackend _backend = null!;
    private Run _run = null!;

    public async Task InitializeAsync()
    {
        _backend = LocalBackend.Open(_dir.File("registry.db"));
        _run = await _backend.Runs.CreateRunAsync((await _backend.Runs.CreateExperimentAsync("registry")).Id);
        await _backend.Runs.UploadArtifactAsync(_run, "model/weights.bin", new MemoryStream([1, 2]));
        await _backend.Runs.UploadArtifactAsync(_run, "model/sub/config.json", new MemoryStream([3]));
        await _backend.Models.CreateModelAsync("m", new ModelCreateOptions { Tags = new Dictionary<string, string> { ["team"] = "a" } });
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<List<string>> FilesAsync(string version, string? path = null)
        => (await _backend.Models.ListVersionFilesAsync("m", version, path).ToListAsync()).Select(f => f.IsDirectory ? f.Path + "/" : f.Path).ToList();

    [Fact]
    public async Task Version_sources_are_copied_from_runs_and_local_paths()
    {
        var fromRunUri = await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{_run.Id}/model" });
        fromRunUri.RunId.Should().Be(_run.Id, "the run comes from the runs:/ URI");
        (await FilesAsync("1")).Should().Equal("sub/", "weights.bin");
        (await FilesAsync("1", "sub")).Should().Equal("sub/config.json");

        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "model/weights.bin", Run = _run });
        (await FilesAsync("2")).Should().Equal("weights.bin");

        var folder = Directory.CreateDirectory(_dir.File("exported")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "model.onnx"), "onnx");
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = folder });
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = new Uri(folder).AbsoluteUri });
        (await FilesAsync("3")).Should().Equal("model.onnx");
        (await FilesAsync("4")).Should().Equal("model.onnx");

        // The copy is independent of the run: deleting the run keeps the version's files.
        await _backend.Runs.DeleteAsync(_run);
        await using var stream = await _backend.Models.DownloadVersionFileAsync("m", "1", "weights.bin");
        stream.ReadByte().Should().Be(1);
    }

    [Fact]
    public async Task Unreachable_and_missing_sources()
    {
        var remote = await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://bucket/models/m/1" });
        remote.Source.Should().Be("s3://bucket/models/m/1");
        await FluentActions.Awaiting(() => _backend.Models.DownloadVersionFileAsync("m", "1", "model.pkl")).Should().ThrowAsync<MlopsNotSupportedException>()
            .WithMessage("*s3://bucket/models/m/1*");
        await FluentActions.Awaiting(() => _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{_run.Id}/nope" }))
            .Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "runs:/no-such-run/model" }))
            .Should().ThrowAsync<MlopsNotFoundException>();
        await FluentActions.Awaiting(() => _backend.Models.CreateVersionAsync("missing", new ModelVersionCreateOptions { Source = "s3://x" }))
            .Should().ThrowAsync<MlopsNotFoundException>();
        (await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://x" })).Version.Should().Be("2", "failed creations use no number");
    }

    [Fact]
    public async Task Version_numbers_are_never_reused_and_rename_keeps_everything()
    {
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{_run.Id}/model" });
        await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = $"runs:/{_run.Id}/model", Tags = new Dictionary<string, string> { ["ok"] = "1" } });
        await _backend.Models.SetAliasAsync("m", "champion", "2");
        await _backend.Models.DeleteVersionAsync("m", "2");
        (await _backend.Models.GetModelAsync("m")).Aliases.Should().BeEmpty("deleting a version drops the aliases pointing at it");
        (await _backend.Models.CreateVersionAsync("m", new ModelVersionCreateOptions { Source = "s3://x" })).Version.Should().Be("3");

        await _backend.Models.CreateModelAsync("taken");
        await FluentActions.Awaiting(() => _backend.Models.RenameModelAsync("m", "taken")).Should().ThrowAsync<MlopsConflictException>();
        await _backend.Models.SetAliasAsync("m", "champion", "1");
        var renamed = await _backend.Models.RenameModelAsync("m", "m2");
        renamed.Aliases.Should().Contain("champion", "1");
        renamed.Tags.Should().Contain("team", "a");
        (await _backend.Models.ListVersionFilesAsync("m2", "1").ToListAsync()).Should().NotBeEmpty();
        await FluentActions.Awaiting(() => _backend.Models.GetModelAsync("m")).Should().ThrowAsync<MlopsNotFoundException>();

        (await _backend.Models.ListModelsAsync(new ModelQuery { Tags = new Dictionary<string, string> { ["team"] = "a" } }).ToListAsync()).Select(m => m.Name).Should().Equal("m2");
        (await _backend.Models.ListVersionsAsync("m2", new ModelVersionQuery { RunId = _run.Id }).ToListAsync()).Select(v => v.Version).Should().Equal("1");
    }
}
