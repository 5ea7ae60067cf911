using System.Globalization;
using System.Text.RegularExpressions;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// The JSON form of google.protobuf.Duration: optional '-', seconds, up to 9 decimals, then 's'; and,
/// as Istio 1.10 reads its objects (gogo jsonpb parses durations with Go's time.ParseDuration), Go
/// durations such as "100ms", "5m" or "1h30m".
/// </summary>
public static partial class ProtobufDuration
{
    /// <summary>The range protobuf allows: about 10,000 years either way.</summary>
    private const long MaxSeconds = 315_576_000_000;

    /// <summary>Parses e.g. "1.5s", "0.001s" or "100ms". TimeSpan keeps 100 ns ticks: finer digits are truncated.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return TryParseGo(text, out duration);
        }

        if (!long.TryParse(match.Groups["seconds"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxSeconds)
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

    /// <summary>Go's time.ParseDuration: an optional sign, then numbers (with optional fractions) each with a unit ns, us (µs), ms, s, m or h; "0" alone is zero.</summary>
    private static bool TryParseGo(string text, out TimeSpan duration)
    {
        duration = default;
        var match = GoPattern().Match(text);
        if (text == "0" || text == "-0" || text == "+0")
        {
            return true;
        }

        if (!match.Success)
        {
            return false;
        }

        decimal ticks = 0;
        var parts = match.Groups["part"].Captures;
        for (var i = 0; i < parts.Count; i++)
        {
            var number = match.Groups["number"].Captures[i].Value;
            if (number is "." or "" || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            decimal? unit = match.Groups["unit"].Captures[i].Value switch
            {
                "ns" => 0.01m,
                "us" or "\u00b5s" or "\u03bcs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (unit is null)
            {
                return false;
            }

            ticks += value * unit.Value;
            if (ticks > MaxSeconds * (decimal)TimeSpan.TicksPerSecond)
            {
                return false;
            }
        }

        var whole = (long)decimal.Truncate(ticks);
        duration = TimeSpan.FromTicks(match.Groups["sign"].Value == "-" ? -whole : whole);
        return true;
    }

    [GeneratedRegex(@"^(?<sign>[-+])?(?<part>(?<number>[0-9]*(\.[0-9]*)?)(?<unit>[a-z\u00b5\u03bc]+))+\z")]
    private static partial Regex GoPattern();
}
