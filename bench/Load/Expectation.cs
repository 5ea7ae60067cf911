namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// What a scenario waits for on each proxy: a response of <paramref name="Type"/> whose bytes contain
/// <paramref name="Marker"/> (a name or address the change introduced), or any response of that type when it is null.
/// </summary>
internal sealed record Expectation(XdsType Type, byte[]? Marker, string Description)
{
    public static Expectation Any(XdsType type) => new(type, null, $"any {XdsTypes.ShortNames[(int)type]} response");

    public static Expectation Containing(XdsType type, string marker) =>
        new(type, System.Text.Encoding.UTF8.GetBytes(marker), $"{XdsTypes.ShortNames[(int)type]} containing '{marker}'");

    /// <summary>A response holding a string field equal to <paramref name="value"/> (matched with its length prefix, so 10.0.0.1 does not match 10.0.0.12).</summary>
    public static Expectation Exact(XdsType type, string value)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(value);
        var marker = new List<byte>();
        for (var length = (uint)text.Length; ; length >>= 7)
        {
            marker.Add((byte)(length >= 0x80 ? (length & 0x7F) | 0x80 : length));
            if (length < 0x80)
            {
                break;
            }
        }

        marker.AddRange(text);
        return new(type, marker.ToArray(), $"{XdsTypes.ShortNames[(int)type]} with '{value}'");
    }
}
