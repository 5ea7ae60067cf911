namespace ControlPlane.XdsServer.Sources;

/// <summary>A config source as readiness and /debug/sources see it.</summary>
public interface ISourceReadiness
{
    string Name { get; }

    /// <summary>True once the source has delivered its initial state; it stays true while the source fails later.</summary>
    bool IsSynced { get; }

    /// <summary>Whether the source can be read now, and since when it cannot.</summary>
    SourceStatus Status { get; }
}
