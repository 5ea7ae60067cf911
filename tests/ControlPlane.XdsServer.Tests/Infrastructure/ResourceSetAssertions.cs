using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Tests.Infrastructure;

/// <summary>Assertions on what generation kept: memoized resources are the same instances, not equal copies.</summary>
public static class ResourceSetAssertions
{
    /// <summary>Asserts that <paramref name="after"/> names the resources <paramref name="before"/> does, each the very same instance.</summary>
    public static void ShouldHoldTheSameInstancesAs(this ResourceSet after, ResourceSet before)
    {
        after.Resources.Keys.Should().Equal(before.Resources.Keys);
        foreach (var (name, resource) in after.Resources)
        {
            resource.Should().BeSameAs(before.Resources[name], $"{name} did not change");
        }
    }
}
