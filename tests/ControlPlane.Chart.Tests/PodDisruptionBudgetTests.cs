using ControlPlane.Chart.Tests.Infrastructure;
using k8s.Models;

namespace ControlPlane.Chart.Tests;

public sealed class PodDisruptionBudgetTests
{
    [Theory]
    [InlineData(ChartNames.XdsServer)]
    [InlineData(ChartNames.Operator)]
    public async Task Defaults_keep_one_pod_of_each_component_and_still_allow_a_drain(string name)
    {
        var chart = await ChartRenders.GetAsync(ValueSets.Defaults);
        var budget = chart.Single<V1PodDisruptionBudget>(name);
        var deployment = chart.Single<V1Deployment>(name);

        budget.Spec.MinAvailable.Value.Should().Be("1");
        budget.Spec.MaxUnavailable.Should().BeNull();
        int.Parse(budget.Spec.MinAvailable.Value).Should().BeLessThan(deployment.Spec.Replicas!.Value);
        budget.Spec.Selector.MatchLabels.Should().Equal(deployment.Spec.Selector.MatchLabels);
    }

    [Fact]
    public async Task Tuned_budgets_carry_numbers_and_percentages()
    {
        var chart = await ChartRenders.GetAsync(ValueSets.Tuned);

        chart.Single<V1PodDisruptionBudget>(ChartNames.XdsServer).Spec.MinAvailable.Value.Should().Be("3");
        chart.Single<V1PodDisruptionBudget>(ChartNames.Operator).Spec.MinAvailable.Value.Should().Be("50%");
    }

    [Fact]
    public async Task A_disabled_budget_is_not_rendered()
    {
        var chart = await ChartRenders.RenderAsync(new ValueSet(
            "no-xds-pdb", "xdsServer:\n  podDisruptionBudget:\n    enabled: false\n"));

        chart.OfKind<V1PodDisruptionBudget>().Select(pdb => pdb.Metadata.Name).Should().Equal(ChartNames.Operator);
    }
}
