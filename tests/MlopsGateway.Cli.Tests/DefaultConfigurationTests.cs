namespace MlopsGateway.Cli.Tests;

/// <summary>Tests that change the process's working directory run alone.</summary>
[CollectionDefinition(nameof(WorkingDirectoryCollection), DisableParallelization = true)]
public sealed class WorkingDirectoryCollection;

/// <summary>With no configuration at all the tool uses the library's default: Local at mlops-local.db in the working directory.</summary>
[Collection(nameof(WorkingDirectoryCollection))]
public sealed class DefaultConfigurationTests
{
    [Fact]
    public async Task No_configuration_uses_the_Local_backend_in_the_working_directory()
    {
        using var workspace = new Workspace();
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = workspace.Path;
        try
        {
            var result = (await workspace.Cli().RunAsync("backends", "--json")).ShouldExit(0).Json;
            var backend = result["backends"]!.AsArray().Should().ContainSingle().Subject!;
            ((string?)backend["name"]).Should().Be("local");
            ((string?)backend["kind"]).Should().Be("Local");
            ((bool)backend["healthy"]!).Should().BeTrue();
            File.Exists(workspace.File("mlops-local.db")).Should().BeTrue();
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
