using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MlopsGateway.Docs.Tests.Snippets;

/// <summary>The registration lines of docs/configuration.md and each backend's page; each is resolved on a configuration it accepts.</summary>
public sealed class ConfigurationSnippets
{
    [Fact]
    public async Task Every_backend_type_is_registered_from_configuration()
    {
        var services = new ServiceCollection();
        var configuration = DocsHost.LocalConfiguration();
        #region Snippet:Configuration_Register
        services.AddMlopsGateway(configuration.GetSection("Mlops"))   // or AddMlopsGateway(o => { ... })
                .AddLocal().AddMLflow().AddAirflow().AddKubeflow().AddMetaflow();
        #endregion
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IMlopsBackend>().Kind.Should().Be("Local");
    }

    [Theory]
    [InlineData("Airflow")]
    [InlineData("Kubeflow")]
    [InlineData("Metaflow")]
    [InlineData("MLflow")]
    public async Task A_backend_page_registers_its_type(string type)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Mlops:Backends:{type}:Type"] = type,
            [$"Mlops:Backends:{type}:BaseUrl"] = "http://127.0.0.1:1/",
            [$"Mlops:Backends:{type}:ApiVersion"] = type == "Airflow" ? "v2" : null,
        }).Build();
        switch (type)
        {
            case "Airflow":
                #region Snippet:Airflow_Register
                services.AddMlopsGateway(configuration.GetSection("Mlops")).AddAirflow();
                #endregion
                break;
            case "Kubeflow":
                #region Snippet:Kubeflow_Register
                services.AddMlopsGateway(configuration.GetSection("Mlops")).AddKubeflow();
                #endregion
                break;
            case "Metaflow":
                #region Snippet:Metaflow_Register
                services.AddMlopsGateway(configuration.GetSection("Mlops")).AddMetaflow();
                #endregion
                break;
            default:
                #region Snippet:MLflow_Register
                services.AddMlopsGateway(configuration.GetSection("Mlops")).AddMLflow();
                #endregion
                break;
        }
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IMlopsBackend>().Kind.Should().Be(type);
    }
}
