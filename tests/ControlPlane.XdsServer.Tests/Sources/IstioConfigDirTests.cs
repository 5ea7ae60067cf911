using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using ControlPlane.XdsServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Sources;

/// <summary>--config-dir reads the Istio networking kinds (v1alpha3 and v1beta1) and Pods into the typed model.</summary>
public sealed class IstioConfigDirTests
{
    private const string Reviews = """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          hosts: [reviews]
          http:
          - route:
            - {destination: {host: reviews, subset: v1}, weight: 50}
            - {destination: {host: reviews, subset: v2}, weight: 50}
        """;

    private const string Broken = """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: ratings, namespace: bookinfo}
        spec:
          hosts: [ratings]
          http:
          - route:
            - {destination: {host: ratings, subset: v1}, weight: 50}
            - {destination: {host: ratings, subset: v2}, weight: 40}
        """;

    private const string Rule = """
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata: {name: reviews, namespace: bookinfo, creationTimestamp: "2021-05-18T10:00:00Z"}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
        """;

    private const string Pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: reviews-v1-abc, namespace: bookinfo, labels: {app: reviews, version: v1}}
        spec: {containers: [{name: reviews, image: reviews}]}
        status: {podIP: 10.1.0.7, podIPs: [{ip: 10.1.0.7}]}
        """;

    [Fact]
    public async Task Istio_objects_land_typed_in_the_snapshot_and_an_invalid_one_is_logged_with_its_field_path_and_skipped()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["istio.yaml"] = Manifests.Join(Reviews, Broken, Rule, Pod),
        });

        await Eventually.Until(() => server.Store.Current.VirtualServices.ContainsKey(new ObjectKey("bookinfo", "reviews")), "the VirtualService in the model");
        var mesh = server.Store.Current;
        mesh.VirtualServices[new ObjectKey("bookinfo", "reviews")].Spec.Http[0].Route.Select(r => r.Destination.Subset).Should().Equal("v1", "v2");
        mesh.VirtualServices.Should().NotContainKey(new ObjectKey("bookinfo", "ratings"));
        var rule = mesh.DestinationRules[new ObjectKey("bookinfo", "reviews")];
        rule.Spec.Subsets.Should().Equal(new Subset("v1", ValueMap<string>.From([KeyValuePair.Create("version", "v1")]), null));
        rule.CreationTimestamp.Should().Be(new DateTime(2021, 5, 18, 10, 0, 0, DateTimeKind.Utc));
        mesh.Pods[new ObjectKey("bookinfo", "reviews-v1-abc")].Should().Be(new MeshPod(
            new ObjectKey("bookinfo", "reviews-v1-abc"),
            ValueMap<string>.From([KeyValuePair.Create("app", "reviews"), KeyValuePair.Create("version", "v1")]),
            ValueList<string>.From(["10.1.0.7"])));
        server.Logs.Events.Should().Contain(e => e.Level == LogLevel.Error &&
            e.Message.Contains("istio.yaml", StringComparison.Ordinal) &&
            e.Message.Contains("VirtualService bookinfo/ratings: spec.http[0].route: total destination weight 90 != 100", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_virtual_service_that_turns_invalid_in_its_file_keeps_its_last_valid_version()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string> { ["vs.yaml"] = Reviews });
        await Eventually.Until(() => server.Store.Current.VirtualServices.ContainsKey(new ObjectKey("bookinfo", "reviews")), "the VirtualService in the model");
        var valid = server.Store.Current.VirtualServices[new ObjectKey("bookinfo", "reviews")];

        await server.WriteConfigAsync("vs.yaml", Manifests.Join(Reviews.Replace("weight: 50}\n", "weight: 60}\n", StringComparison.Ordinal), Rule));

        await Eventually.Until(() => server.Store.Current.DestinationRules.ContainsKey(new ObjectKey("bookinfo", "reviews")), "the file's new DestinationRule in the model");
        await server.Logs.WaitForAsync("vs.yaml", "VirtualService bookinfo/reviews: spec.http[0].route: total destination weight 110 != 100");
        server.Store.Current.VirtualServices[new ObjectKey("bookinfo", "reviews")].Should().BeSameAs(valid);
    }

    [Fact]
    public async Task Unknown_fields_are_logged_as_warnings_and_the_object_is_served()
    {
        await using var server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["vs.yaml"] = Reviews.Replace("  hosts: [reviews]\n", "  hosts: [reviews]\n  websocketUpgrade: true\n", StringComparison.Ordinal),
        });

        await Eventually.Until(() => server.Store.Current.VirtualServices.ContainsKey(new ObjectKey("bookinfo", "reviews")), "the VirtualService in the model");
        await server.Logs.WaitForAsync("VirtualService bookinfo/reviews: spec[", "websocketUpgrade", "]: unknown field, ignored");
    }
}
