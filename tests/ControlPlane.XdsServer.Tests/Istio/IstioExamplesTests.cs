using ControlPlane.Tests.Shared;
using ControlPlane.Mesh.Kubernetes;
using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;

namespace ControlPlane.XdsServer.Tests.Istio;

/// <summary>Every Istio example the repository ships reads into its typed model without errors or warnings.</summary>
public sealed class IstioExamplesTests
{
    public static TheoryData<string> Examples() => new(Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "examples", "istio"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_reads_into_the_typed_model(string file)
    {
        var documents = KubernetesManifestReader.Read(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "istio", file)));

        documents.Should().ContainSingle().Which.Error.Should().BeNull();
        var result = new MeshObjectTranslator().Translate(documents[0].Object!);
        result.Error.Should().BeNull();
        result.WarningsOrEmpty.Should().BeEmpty();
        result.Object.Should().BeAssignableTo<MeshIstioObject>().Which.Key.Namespace.Should().Be("bookinfo");
    }

    [Fact]
    public void The_reviews_canary_has_Istio_field_names_types_and_values()
    {
        var documents = KubernetesManifestReader.Read(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "istio", "virtualservice-reviews.yaml")));
        var vs = new MeshObjectTranslator().Translate(documents[0].Object!).Object.Should().BeOfType<MeshVirtualService>().Subject.Spec;

        vs.Gateways.Should().Equal("mesh");
        vs.Http.Select(r => r.Name).Should().Equal("testers", "canary", "default");
        vs.Http[0].Match[0].Headers["end-user"].Should().Be(StringMatch.Exact("jason"));
        var canary = vs.Http[1];
        canary.Match[0].Uri.Should().Be(StringMatch.Prefix("/reviews"));
        canary.Match[0].IgnoreUriCase.Should().BeTrue();
        canary.Route.Select(d => (d.Destination.Subset, d.Weight)).Should().Equal(("v1", 80), ("v2", 10), ("v3", 10));
        canary.Route[0].Destination.Port.Should().Be(new PortSelector(9080));
        canary.Route[1].Headers!.Response!.Set["x-canary"].Should().Be("true");
        canary.Timeout.Should().Be(TimeSpan.FromSeconds(6));
        canary.Retries.Should().Be(new HttpRetry(3, TimeSpan.FromSeconds(2), "5xx,connect-failure,refused-stream", null));
        canary.Headers!.Request!.Remove.Should().Equal("x-debug");
    }
}
