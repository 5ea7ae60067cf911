namespace ControlPlane.XdsServer.Delivery;

/// <summary>Delivery state of one resource type on one stream, as /debug/syncz shows it.</summary>
public sealed class TypeStatus
{
    public required string TypeUrl { get; init; }

    public string? SentVersion { get; set; }

    public string? SentNonce { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public int SentResources { get; set; }

    public string? AckedVersion { get; set; }

    public string? AckedNonce { get; set; }

    public DateTimeOffset? AckedAt { get; set; }

    public NackRecord? LastNack { get; set; }

    public TypeStatus Copy() => (TypeStatus)MemberwiseClone();
}

/// <summary>A response the proxy rejected, and why.</summary>
public sealed record NackRecord(string? RejectedVersion, string Nonce, string Message, DateTimeOffset At);
