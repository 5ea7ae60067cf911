namespace ControlPlane.XdsServer.Sources;

/// <summary>A config source that can say whether it has delivered its initial state.</summary>
public interface ISourceReadiness
{
    string Name { get; }

    bool IsSynced { get; }
}
