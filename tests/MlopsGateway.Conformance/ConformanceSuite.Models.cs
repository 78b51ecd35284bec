namespace MlopsGateway.Conformance;

public abstract partial class ConformanceSuite<TFixture>
{
    [Fact]
    public async Task Models_versions_tags_and_files()
    {
        var name = Unique("model");
        if (!Supports(MlopsCapability.ModelRegistry))
        {
            await AssertNotSupportedAsync(() => Backend.Models.CreateModelAsync(name), "CreateModel without ModelRegistry");
            await AssertNotSupportedAsync(() => Backend.Models.GetModelAsync(name), "GetModel without ModelRegistry");
            await AssertNotSupportedAsync(() => Backend.Models.ListModelsAsync().ToListAsync(), "ListModels without ModelRegistry");
            return;
        }

        var created = await Backend.Models.CreateModelAsync(name, new ModelCreateOptions
        {
            Description = "iris classifier",
            Tags = new Dictionary<string, string> { ["team"] = "conformance" },
        }, Deadline());
        created.Backend.Should().Be(ConformanceFixture.BackendName);
        created.Name.Should().Be(name);
        await AssertThrowsAsync<MlopsConflictException>(() => Backend.Models.CreateModelAsync(name, null, Deadline()), "an existing model name");

        var model = await Backend.Models.GetModelAsync(name, Deadline());
        model.Description.Should().Be("iris classifier");
        model.Tags.Should().Contain("team", "conformance");
        var listed = await Backend.Models.ListModelsAsync(new ModelQuery { NameContains = name }).ToListAsync(Deadline());
        listed.Select(m => m.Name).Should().Contain(name);

        var run = await Fixture.CreateRunForTestAsync(Unique("model-run"), Deadline());
        var weights = Enumerable.Range(0, 4_096).Select(i => (byte)(i % 251)).ToArray();
        if (Supports(MlopsCapability.Artifacts))
        {
            await Backend.Runs.UploadArtifactAsync(run, "model/weights.bin", new MemoryStream(weights), Deadline());
        }
        var source = Fixture.ModelSource(run, "model");
        var v1 = await Backend.Models.CreateVersionAsync(name, new ModelVersionCreateOptions { Source = source, Run = run, Description = "first" }, Deadline());
        var v2 = await Backend.Models.CreateVersionAsync(name, new ModelVersionCreateOptions
        {
            Source = source,
            Run = run,
            Tags = new Dictionary<string, string> { ["dataset"] = "v2" },
        }, Deadline());
        v1.Version.Should().Be("1");
        v2.Version.Should().Be("2");
        v2.ModelName.Should().Be(name);
        v2.Backend.Should().Be(ConformanceFixture.BackendName);

        var read = await Backend.Models.GetVersionAsync(name, "2", Deadline());
        read.RunId.Should().Be(run.Id);
        read.Tags.Should().Contain("dataset", "v2");
        var versionPages = await ReadPagesAsync(Backend.Models.ListVersionsAsync(name), 1);
        versionPages.SelectMany(p => p.Values).Select(v => v.Version).Should().BeEquivalentTo(["1", "2"]);

        (await Backend.Models.UpdateVersionAsync(name, "1", new ModelUpdate { Description = "baseline" }, Deadline())).Description.Should().Be("baseline");
        (await Backend.Models.UpdateModelAsync(name, new ModelUpdate { Description = "iris v2" }, Deadline())).Description.Should().Be("iris v2");

        await Backend.Models.SetModelTagAsync(name, "stage", "beta", Deadline());
        await Backend.Models.SetModelTagAsync(name, "stage", "ga", Deadline());
        await Backend.Models.DeleteModelTagAsync(name, "team", Deadline());
        (await Backend.Models.GetModelAsync(name, Deadline())).Tags.Should().Contain("stage", "ga").And.NotContainKey("team");
        await Backend.Models.SetVersionTagAsync(name, "1", "validated", "yes", Deadline());
        await Backend.Models.DeleteVersionTagAsync(name, "2", "dataset", Deadline());
        (await Backend.Models.GetVersionAsync(name, "1", Deadline())).Tags.Should().Contain("validated", "yes");
        (await Backend.Models.GetVersionAsync(name, "2", Deadline())).Tags.Should().NotContainKey("dataset");

        if (Supports(MlopsCapability.ModelFiles))
        {
            var files = await Backend.Models.ListVersionFilesAsync(name, "2", null, Deadline()).ToListAsync(Deadline());
            files.Should().ContainSingle(f => f.Path == "weights.bin" && !f.IsDirectory).Which.Size.Should().Be(weights.Length);
            await using var stream = await Backend.Models.DownloadVersionFileAsync(name, "2", "weights.bin", Deadline());
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            copy.ToArray().Should().Equal(weights);
        }
        else
        {
            await AssertNotSupportedAsync(() => Backend.Models.DownloadVersionFileAsync(name, "2", "weights.bin"), "DownloadVersionFile without ModelFiles");
        }

        await Backend.Models.DeleteVersionAsync(name, "1", Deadline());
        await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Models.GetVersionAsync(name, "1", Deadline()), "a deleted version");
        await Backend.Models.DeleteModelAsync(name, Deadline());
        await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Models.GetModelAsync(name, Deadline()), "a deleted model");
    }

    [Fact]
    public async Task Model_aliases_move_between_versions()
    {
        var name = Unique("alias");
        if (!Supports(MlopsCapability.ModelAliases))
        {
            await AssertNotSupportedAsync(() => Backend.Models.SetAliasAsync(name, "champion", "1"), "SetAlias without ModelAliases");
            await AssertNotSupportedAsync(() => Backend.Models.GetVersionByAliasAsync(name, "champion"), "GetVersionByAlias without ModelAliases");
            return;
        }

        await Backend.Models.CreateModelAsync(name, null, Deadline());
        var run = await Fixture.CreateRunForTestAsync(Unique("alias-run"), Deadline());
        if (Supports(MlopsCapability.Artifacts))
        {
            await Backend.Runs.UploadArtifactAsync(run, "model/weights.bin", new MemoryStream([1, 2, 3]), Deadline());
        }
        var source = Fixture.ModelSource(run, "model");
        await Backend.Models.CreateVersionAsync(name, new ModelVersionCreateOptions { Source = source, Run = run }, Deadline());
        await Backend.Models.CreateVersionAsync(name, new ModelVersionCreateOptions { Source = source, Run = run }, Deadline());

        await Backend.Models.SetAliasAsync(name, "champion", "1", Deadline());
        await Backend.Models.SetAliasAsync(name, "challenger", "2", Deadline());
        (await Backend.Models.GetVersionByAliasAsync(name, "champion", Deadline())).Version.Should().Be("1");

        await Backend.Models.SetAliasAsync(name, "champion", "2", Deadline());
        (await Backend.Models.GetVersionByAliasAsync(name, "champion", Deadline())).Version.Should().Be("2", "setting an alias moves it");
        var model = await Backend.Models.GetModelAsync(name, Deadline());
        model.Aliases.Should().Contain("champion", "2").And.Contain("challenger", "2");
        (await Backend.Models.GetVersionAsync(name, "2", Deadline())).Aliases.Should().BeEquivalentTo(["champion", "challenger"]);
        (await Backend.Models.GetVersionAsync(name, "1", Deadline())).Aliases.Should().BeEmpty();

        await Backend.Models.DeleteAliasAsync(name, "challenger", Deadline());
        await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Models.GetVersionByAliasAsync(name, "challenger", Deadline()), "a deleted alias");
        await AssertThrowsAsync<MlopsNotFoundException>(() => Backend.Models.GetVersionByAliasAsync(name, "never-set", Deadline()), "an unknown alias");
        await Backend.Models.DeleteModelAsync(name, Deadline());
    }

    [Fact]
    public async Task Model_stages_transition_and_archive_existing()
    {
        var name = Unique("stage");
        if (!Supports(MlopsCapability.ModelStages))
        {
            await AssertNotSupportedAsync(() => Backend.Models.TransitionStageAsync(name, "1", "Production"), "TransitionStage without ModelStages");
            return;
        }

        await Backend.Models.CreateModelAsync(name, null, Deadline());
        var run = await Fixture.CreateRunForTestAsync(Unique("stage-run"), Deadline());
        if (Supports(MlopsCapability.Artifacts))
        {
            await Backend.Runs.UploadArtifactAsync(run, "model/weights.bin", new MemoryStream([1]), Deadline());
        }
        var source = Fixture.ModelSource(run, "model");
        (await Backend.Models.CreateVersionAsync(name, new ModelVersionCreateOptions { Source = source, Run = run }, Deadline())).Stage.Should().Be("None");
        await Backend.Models.CreateVersionAsync(name, new ModelVersionCreateOptions { Source = source, Run = run }, Deadline());

        (await Backend.Models.TransitionStageAsync(name, "1", "Production", false, Deadline())).Stage.Should().Be("Production");
        (await Backend.Models.TransitionStageAsync(name, "2", "Production", true, Deadline())).Stage.Should().Be("Production");
        (await Backend.Models.GetVersionAsync(name, "1", Deadline())).Stage.Should().Be("Archived", "archiveExistingVersions moves the previous Production version");

        await AssertThrowsAsync<MlopsValidationException>(() => Backend.Models.TransitionStageAsync(name, "2", "Launched", false, Deadline()), "an unknown stage");
        await Backend.Models.DeleteModelAsync(name, Deadline());
    }
}
