using k8s;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Tests;

/// <summary>Discovery documents as clients map kinds by them, and bodies the fake cannot read refused clearly.</summary>
public sealed class DiscoveryAndEncodingTests : IAsyncLifetime
{
    private FakeApiServer _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _http = new HttpClient { BaseAddress = _api.Address };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Groups_and_resource_lists_name_every_served_kind()
    {
        var groups = JsonNode.Parse(await _http.GetStringAsync("/apis"))!["groups"]!.AsArray();
        groups.Select(g => g!["preferredVersion"]!["groupVersion"]!.GetValue<string>())
            .Should().Contain(["apps/v1", "rbac.authorization.k8s.io/v1", "networking.istio.io/v1alpha3"]);

        var core = JsonNode.Parse(await _http.GetStringAsync("/api/v1"))!["resources"]!.AsArray();
        core.Should().Contain(r => r!["name"]!.GetValue<string>() == "pods" && r["kind"]!.GetValue<string>() == "Pod" && r["namespaced"]!.GetValue<bool>());
        core.Should().Contain(r => r!["name"]!.GetValue<string>() == "namespaces" && !r["namespaced"]!.GetValue<bool>());

        (await _http.GetAsync("/apis/no.such.group/v1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_protobuf_body_of_a_kind_the_fake_cannot_decode_is_refused_with_415()
    {
        using var body = new ByteArrayContent([.. "k8s\0"u8, 0x0a, 0x00]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");

        var response = await _http.PostAsync("/api/v1/namespaces/shop/configmaps", body);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await response.Content.ReadAsStringAsync()).Should().Contain("ConfigMap");
    }

    [Fact]
    public async Task A_created_crd_reports_established()
    {
        using var client = _api.CreateClient();
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new k8s.Models.V1CustomResourceDefinition
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "widgets.example.com" },
            Spec = new k8s.Models.V1CustomResourceDefinitionSpec
            {
                Group = "example.com",
                Scope = "Namespaced",
                Names = new k8s.Models.V1CustomResourceDefinitionNames { Plural = "widgets", Kind = "Widget" },
                Versions = [new k8s.Models.V1CustomResourceDefinitionVersion { Name = "v1", Served = true, Storage = true }],
            },
        });

        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.com");

        crd.Status.Conditions.Should().Contain(c => c.Type == "Established" && c.Status == "True");
        crd.Status.StoredVersions.Should().Equal("v1");
    }
}
