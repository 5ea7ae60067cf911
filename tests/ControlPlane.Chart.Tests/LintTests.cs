using ControlPlane.Chart.Tests.Infrastructure;

namespace ControlPlane.Chart.Tests;

public sealed class LintTests
{
    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Lint_strict_passes(string valueSet)
    {
        var result = await Helm.LintAsync(ValueSets.ByName(valueSet));

        result.Succeeded.Should().BeTrue(result.ToString());
        result.StandardOutput.Should().Contain("1 chart(s) linted, 0 chart(s) failed");
        result.Output.Should().NotContain("[WARNING]").And.NotContain("[ERROR]");
    }

    [Fact]
    public async Task Lint_strict_fails_on_a_failure_policy_kubernetes_does_not_know()
    {
        var result = await Helm.LintAsync(new ValueSet("bad-failure-policy", "webhook:\n  failurePolicy: Sometimes\n"));

        result.Succeeded.Should().BeFalse(result.ToString());
        result.Output.Should().Contain("webhook.failurePolicy");
    }
}
