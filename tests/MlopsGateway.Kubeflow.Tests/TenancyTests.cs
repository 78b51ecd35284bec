using MlopsGateway.Kubeflow.Tests.Fakes;

namespace MlopsGateway.Kubeflow.Tests;

/// <summary>Multi-user mode: detected from healthz once, enforced with a clear message, namespace sent when configured.</summary>
public sealed class TenancyTests : IAsyncLifetime
{
    private KubeflowFake _fake = null!;

    public async Task InitializeAsync() => _fake = await KubeflowFake.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task Multi_user_without_a_namespace_fails_with_a_message_naming_the_setting()
    {
        _fake.MultiUser = true;
        var backend = Harness.Create(_fake.BaseUri);

        var create = () => backend.Runs.CreateExperimentAsync("e");
        var list = async () => await backend.Runs.ListAsync().ToListAsync();

        (await create.Should().ThrowAsync<MlopsValidationException>()).Which.Message
            .Should().Contain("multi-user").And.Contain("Mlops:Backends:kfp:Namespace");
        await list.Should().ThrowAsync<MlopsValidationException>();
        _fake.Server.Requests.Select(r => r.Line()).Should().Equal(["GET /apis/v2beta1/healthz"], "the probe is cached and nothing else is sent");
    }

    [Fact]
    public async Task A_configured_namespace_is_sent_without_probing()
    {
        _fake.MultiUser = true;
        var backend = Harness.Create(_fake.BaseUri, configure: o => o.Settings["Namespace"] = "team-a");

        var experiment = await backend.Runs.CreateExperimentAsync("e");
        await backend.Runs.ListAsync().ToListAsync();
        await backend.Runs.ListAsync(new RunQuery { ExperimentIds = [experiment.Id] }).ToListAsync();
        await backend.Pipelines.ListAsync().ToListAsync();

        var r = _fake.Server.Requests;
        r.Should().NotContain(x => x.Path.EndsWith("healthz", StringComparison.Ordinal));
        r[0].Body.Should().Contain("\"namespace\":\"team-a\"");
        r[1].Query.Should().StartWith("?namespace=team-a");
        r[2].Query.Should().StartWith($"?namespace=team-a&experiment_id={experiment.Id}");
        r[3].Query.Should().StartWith("?namespace=team-a");
    }

    [Fact]
    public async Task Single_user_mode_needs_no_namespace()
    {
        var backend = Harness.Create(_fake.BaseUri);

        (await backend.Runs.CreateExperimentAsync("e")).Name.Should().Be("e");
        _fake.Server.Requests[1].Body.Should().NotContain("namespace");
    }

    [Fact]
    public async Task Health_reports_the_server_version_and_mode()
    {
        _fake.MultiUser = true;
        var health = await Harness.Create(_fake.BaseUri).CheckHealthAsync();

        health.IsHealthy.Should().BeTrue();
        health.ServerVersion.Should().Be("2.17.0");
        health.Description.Should().Contain("multi-user");
    }

    [Fact]
    public async Task An_identity_header_is_sent_through_the_core_headers_auth()
    {
        var backend = Harness.Create(_fake.BaseUri, configure: o =>
        {
            o.Auth.Type = "Headers";
            o.Auth.Token = null;
            o.Auth.Headers["kubeflow-userid"] = "alice@example.com";
        });

        await backend.Pipelines.ListAsync().ToListAsync();

        var request = _fake.Server.Requests.Single();
        request.Header("kubeflow-userid").Should().Be("alice@example.com");
        request.Header("Authorization").Should().BeNull();
    }

    [Fact]
    public void Invalid_settings_are_reported_at_start_up()
    {
        var act = () => Harness.Create(_fake.BaseUri, configure: o =>
        {
            o.Settings["Namespace"] = "Team_A";
            o.Endpoints["ModelRegistry"] = new EndpointOptions { BaseUrl = "not a url" };
        });

        var error = act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message;
        error.Should().Contain("Mlops:Backends:kfp:Namespace").And.Contain("Mlops:Backends:kfp:Endpoints:ModelRegistry:BaseUrl");
    }

    [Fact]
    public void The_old_registry_setting_and_unknown_endpoints_are_refused_naming_the_key_to_use()
    {
        var act = () => Harness.Create(_fake.BaseUri, configure: o =>
        {
            o.Settings["ModelRegistryBaseUrl"] = "http://registry:8080";
            o.Endpoints["ModelRegistery"] = new EndpointOptions { BaseUrl = "http://registry:8080" };
        });

        var error = act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message;
        error.Should().Contain("Mlops:Backends:kfp:ModelRegistryBaseUrl").And.Contain("move the URL to Mlops:Backends:kfp:Endpoints:ModelRegistry:BaseUrl");
        error.Should().Contain("Mlops:Backends:kfp:Endpoints:ModelRegistery: a Kubeflow backend has one further endpoint, ModelRegistry");
    }

    [Fact]
    public async Task The_registry_endpoint_name_is_case_insensitive_like_every_configuration_key()
    {
        var backend = Harness.Create(_fake.BaseUri, configure: o => o.Endpoints["modelregistry"] = new EndpointOptions { BaseUrl = _fake.BaseUri.ToString() });

        (await backend.Models.CreateModelAsync("m")).Name.Should().Be("m");
        backend.Capabilities.Supports(MlopsCapability.ModelRegistry).Should().BeTrue();
    }
}

/// <summary>Health covers the Model Registry when one is configured.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task An_unreachable_model_registry_makes_the_backend_unhealthy()
    {
        await using var fake = await KubeflowFake.StartAsync();
        fake.FailNext("GET", "/api/model_registry/v1alpha3/registered_models", 401, """{"code":"UNAUTHENTICATED","message":"bad token"}""");
        var backend = Harness.Create(fake.BaseUri, fake.BaseUri);

        var unhealthy = await backend.CheckHealthAsync();
        var healthy = await backend.CheckHealthAsync();

        unhealthy.IsHealthy.Should().BeFalse();
        unhealthy.Description.Should().Contain("Model Registry is not").And.Contain("bad token");
        healthy.IsHealthy.Should().BeTrue();
        healthy.Description.Should().Contain("with the Model Registry");
    }
}
