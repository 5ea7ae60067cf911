using System.Globalization;
using System.Text.RegularExpressions;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>The JSON form of google.protobuf.Duration: optional '-', seconds, up to 9 decimals, then 's'.</summary>
public static partial class ProtobufDuration
{
    /// <summary>The range protobuf allows: about 10,000 years either way.</summary>
    private const long MaxSeconds = 315_576_000_000;

    /// <summary>Parses e.g. "1.5s" or "0.001s". TimeSpan keeps 100 ns ticks: finer digits are truncated.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var match = Pattern().Match(text);
        if (!match.Success || !long.TryParse(match.Groups["seconds"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxSeconds)
        {
            return false;
        }

        var fraction = match.Groups["fraction"].Value.PadRight(7, '0')[..7];
        var ticks = seconds * TimeSpan.TicksPerSecond + long.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture);
        duration = TimeSpan.FromTicks(match.Groups["sign"].Success && match.Groups["sign"].Value == "-" ? -ticks : ticks);
        return true;
    }

    /// <summary>Whether the duration is not a whole number of milliseconds (Istio accepts only millisecond precision).</summary>
    public static bool HasSubMillisecondPart(TimeSpan duration) => duration.Ticks % TimeSpan.TicksPerMillisecond != 0;

    [GeneratedRegex(@"^(?<sign>-)?(?<seconds>[0-9]+)(\.(?<fraction>[0-9]{1,9}))?s\z")]
    private static partial Regex Pattern();
}
