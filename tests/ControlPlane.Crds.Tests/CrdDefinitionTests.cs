using ControlPlane.Crds.Tests.Infrastructure;
using k8s;

namespace ControlPlane.Crds.Tests;

/// <summary>The CRD envelopes: names, scope and versions must match Istio 1.10's so existing manifests and tools keep working.</summary>
public class CrdDefinitionTests
{
    [Fact]
    public void Has_one_file_per_networking_kind()
    {
        CrdCatalog.FileNames().Should().BeEquivalentTo(
            "networking.istio.io_destinationrules.yaml",
            "networking.istio.io_gateways.yaml",
            "networking.istio.io_serviceentries.yaml",
            "networking.istio.io_sidecars.yaml",
            "networking.istio.io_virtualservices.yaml",
            "networking.istio.io_workloadentries.yaml");
    }

    [Theory]
    [MemberData(nameof(CrdCatalog.Files), MemberType = typeof(CrdCatalog))]
    public void Deserializes_as_a_namespaced_networking_crd(string file)
    {
        var crd = CrdCatalog.Load(file);

        crd.ApiVersion.Should().Be("apiextensions.k8s.io/v1");
        crd.Kind.Should().Be("CustomResourceDefinition");
        crd.Spec.Group.Should().Be(CrdCatalog.Group);
        crd.Spec.Scope.Should().Be("Namespaced");
        crd.Metadata.Name.Should().Be($"{crd.Spec.Names.Plural}.{CrdCatalog.Group}");
        file.Should().Be($"{CrdCatalog.Group}_{crd.Spec.Names.Plural}.yaml");
        crd.Spec.Names.ListKind.Should().Be($"{crd.Spec.Names.Kind}List");
        crd.Spec.Names.Categories.Should().Equal("istio-io", "networking-istio-io");
    }

    [Theory]
    [MemberData(nameof(CrdCatalog.Files), MemberType = typeof(CrdCatalog))]
    public void Serves_v1alpha3_stored_and_v1beta1_with_status_subresource(string file)
    {
        var versions = CrdCatalog.Load(file).Spec.Versions;

        versions.Select(v => (v.Name, v.Served, v.Storage)).Should().Equal(("v1alpha3", true, true), ("v1beta1", true, false));
        versions.Should().AllSatisfy(v => v.Subresources?.Status.Should().NotBeNull());
        versions.Should().AllSatisfy(v => v.Subresources!.Scale.Should().BeNull());
    }

    [Theory]
    [MemberData(nameof(CrdCatalog.Files), MemberType = typeof(CrdCatalog))]
    public void Both_versions_share_one_schema_and_columns(string file)
    {
        // Without a conversion webhook the versions must be identical, or objects would change shape between them.
        var versions = CrdCatalog.Load(file).Spec.Versions;

        KubernetesJson.Serialize(versions[1].Schema).Should().Be(KubernetesJson.Serialize(versions[0].Schema));
        KubernetesJson.Serialize(versions[1].AdditionalPrinterColumns)
            .Should().Be(KubernetesJson.Serialize(versions[0].AdditionalPrinterColumns));
    }

    [Theory]
    [InlineData("VirtualService", "virtualservices", "virtualservice", "vs")]
    [InlineData("DestinationRule", "destinationrules", "destinationrule", "dr")]
    [InlineData("Gateway", "gateways", "gateway", "gw")]
    [InlineData("ServiceEntry", "serviceentries", "serviceentry", "se")]
    [InlineData("Sidecar", "sidecars", "sidecar", null)]
    [InlineData("WorkloadEntry", "workloadentries", "workloadentry", "we")]
    public void Names_match_istio_1_10(string kind, string plural, string singular, string? shortName)
    {
        var names = CrdCatalog.ForKind(kind).Spec.Names;

        names.Plural.Should().Be(plural);
        names.Singular.Should().Be(singular);
        if (shortName is null)
        {
            names.ShortNames.Should().BeNullOrEmpty();
        }
        else
        {
            names.ShortNames.Should().Equal(shortName);
        }
    }

    [Theory]
    [InlineData("VirtualService", "Gateways,Hosts,Age")]
    [InlineData("DestinationRule", "Host,Age")]
    [InlineData("Gateway", "Age")]
    [InlineData("ServiceEntry", "Hosts,Location,Resolution,Age")]
    [InlineData("Sidecar", "Age")]
    [InlineData("WorkloadEntry", "Age,Address")]
    public void Printer_columns_match_istio_1_10(string kind, string columns)
    {
        var version = CrdCatalog.ForKind(kind).Spec.Versions[0];

        version.AdditionalPrinterColumns.Select(c => c.Name).Should().Equal(columns.Split(','));
        version.AdditionalPrinterColumns.Should().AllSatisfy(c => c.Description.Should().NotBeNullOrWhiteSpace());
    }
}
