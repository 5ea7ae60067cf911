using ControlPlane.Chart.Tests.Infrastructure;
using k8s.Models;

namespace ControlPlane.Chart.Tests;

/// <summary>Least privilege: each component gets exactly the permissions it uses, named where Kubernetes allows.</summary>
public sealed class RbacTests
{
    private static readonly string[] Read = ["get", "list", "watch"];

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task No_rule_uses_a_wildcard_or_non_resource_urls(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);
        var rules = chart.OfKind<V1ClusterRole>().SelectMany(role => role.Rules)
            .Concat(chart.OfKind<V1Role>().SelectMany(role => role.Rules))
            .ToList();

        rules.Should().NotBeEmpty();
        foreach (var rule in rules)
        {
            new[] { rule.ApiGroups, rule.Resources, rule.Verbs, rule.ResourceNames }
                .Where(list => list is not null)
                .SelectMany(list => list!)
                .Should().NotContain(item => item.Contains('*'));
            rule.NonResourceURLs.Should().BeNullOrEmpty();
        }

        chart.OfKind<V1ClusterRole>().Should().OnlyContain(role => role.AggregationRule == null);
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task The_xds_server_reads_what_it_serves_and_writes_only_interface_outlier_detection_status(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);

        var granted = RbacRule.Flatten(chart.Single<V1ClusterRole>(ChartNames.XdsServer).Rules);

        granted.Should().BeEquivalentTo(
            RbacRule.Grant("", ["services", "pods", "namespaces"], Read)
                .Concat(RbacRule.Grant("discovery.k8s.io", ["endpointslices"], Read))
                .Concat(RbacRule.Grant(
                    "networking.istio.io",
                    ["virtualservices", "destinationrules", "gateways", "serviceentries", "sidecars", "workloadentries"],
                    Read))
                .Concat(RbacRule.Grant("mesh.controlplane.io", ["interfaceoutlierdetections"], Read))
                .Append(new RbacRule("mesh.controlplane.io", "interfaceoutlierdetections/status", "update")));
        granted.Where(rule => !Read.Contains(rule.Verb)).Should().ContainSingle("status updates are its only write");
        chart.OfKind<V1Role>().Should().NotContain(role => role.Metadata.Name == ChartNames.XdsServer);
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task The_operator_cluster_role_reads_pods_and_injectors_and_patches_only_its_own_webhook(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);

        var granted = RbacRule.Flatten(chart.Single<V1ClusterRole>(ChartNames.Operator).Rules);

        granted.Should().BeEquivalentTo(
            RbacRule.Grant("", ["pods", "namespaces"], Read)
                .Concat(RbacRule.Grant("mesh.controlplane.io", ["sidecarinjectors"], Read))
                .Concat(RbacRule.Grant("mesh.controlplane.io", ["sidecarinjectors/status"], ["update", "patch"]))
                .Concat(RbacRule.Grant(
                    "admissionregistration.k8s.io", ["mutatingwebhookconfigurations"], ["get", "patch", "update"],
                    ChartNames.WebhookConfig)));
    }

    [Fact]
    public async Task The_operator_role_creates_and_rewrites_only_its_generated_certificate_and_reads_only_its_own_deployment()
    {
        var chart = await ChartRenders.GetAsync(ValueSets.Defaults);

        var role = chart.Single<V1Role>(ChartNames.Operator);

        role.Metadata.NamespaceProperty.Should().Be(ChartNames.Namespace);
        RbacRule.Flatten(role.Rules).Should().BeEquivalentTo(
            RbacRule.Grant("", ["secrets"], ["get", "update"], ChartNames.GeneratedCertSecret)
                .Append(new RbacRule("", "secrets", "create"))
                .Concat(RbacRule.Grant("coordination.k8s.io", ["leases"], ["get", "update"], ChartNames.Operator))
                .Append(new RbacRule("coordination.k8s.io", "leases", "create"))
                .Append(new RbacRule("", "events", "create"))
                .Append(new RbacRule("apps", "deployments", "get", ChartNames.Operator)));
    }

    [Fact]
    public async Task The_operator_role_only_reads_a_provided_certificate()
    {
        var chart = await ChartRenders.GetAsync(ValueSets.Canary);

        RbacRule.Flatten(chart.Single<V1Role>(ChartNames.Operator).Rules).Should().BeEquivalentTo(
            new[] { new RbacRule("", "secrets", "get", "mesh-webhook-tls") }
                .Concat(RbacRule.Grant("coordination.k8s.io", ["leases"], ["get", "update"], ChartNames.Operator))
                .Append(new RbacRule("coordination.k8s.io", "leases", "create"))
                .Append(new RbacRule("", "events", "create"))
                .Append(new RbacRule("apps", "deployments", "get", ChartNames.Operator)));
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Each_binding_gives_a_rendered_role_to_its_components_service_account(string valueSet)
    {
        var chart = await ChartRenders.GetAsync(valueSet);
        var deployments = chart.OfKind<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        var serviceAccounts = chart.OfKind<V1ServiceAccount>().Select(sa => sa.Metadata.Name).ToList();

        var bindings = chart.OfKind<V1ClusterRoleBinding>().Select(b => (b.Metadata.Name, b.RoleRef, b.Subjects))
            .Concat(chart.OfKind<V1RoleBinding>().Select(b => (b.Metadata.Name, b.RoleRef, b.Subjects)))
            .ToList();

        bindings.Select(b => (b.Name, b.RoleRef.Kind)).Should().BeEquivalentTo(new[]
        {
            (ChartNames.XdsServer, "ClusterRole"), (ChartNames.Operator, "ClusterRole"), (ChartNames.Operator, "Role"),
        });
        foreach (var (name, roleRef, subjects) in bindings)
        {
            roleRef.Name.Should().Be(name);
            roleRef.ApiGroup.Should().Be("rbac.authorization.k8s.io");
            var subject = subjects.Should().ContainSingle().Subject;
            subject.Kind.Should().Be("ServiceAccount");
            subject.NamespaceProperty.Should().Be(ChartNames.Namespace);
            subject.Name.Should().Be(deployments[name].Spec.Template.Spec.ServiceAccountName);
            serviceAccounts.Should().Contain(subject.Name);
        }
    }
}
