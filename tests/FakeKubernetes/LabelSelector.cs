using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>Equality-based label selectors (a=b,c!=d,e), the part of the syntax list calls here use.</summary>
public sealed class LabelSelector
{
    private readonly List<(string Key, string? Value, bool Negated)> _terms = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        foreach (var term in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negated = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negated ? "!=" : "=", 2);
            selector._terms.Add((parts[0].Trim(), parts.Length > 1 ? parts[1].Trim().TrimStart('=') : null, negated));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var (key, value, negated) in _terms)
        {
            var actual = labels?[key]?.GetValue<string>();
            var matches = value is null ? actual is not null : actual == value;
            if (matches == negated)
            {
                return false;
            }
        }

        return true;
    }
}
