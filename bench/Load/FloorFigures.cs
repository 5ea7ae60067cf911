namespace ControlPlane.Benchmarks.Load;

/// <summary>What the floor server sent each proxy per push: bytes per type (CDS, EDS, LDS, RDS), the full push's mean.</summary>
internal sealed record FloorFigures(int[] BytesPerProxy);
