using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Core.V3;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>
/// Istio <see cref="Headers"/> as Envoy header operations, as istiod 1.10's
/// translateHeadersOperations makes them: set (append false) before add (append true), each sorted
/// by name; pseudo-headers and <c>host</c> are left out (Envoy may not change them), except that a
/// request <c>host</c>/<c>:authority</c> becomes <see cref="Authority"/> (set wins over add), which
/// the route turns into a host rewrite.
/// </summary>
public sealed record HeaderChanges(
    IReadOnlyList<HeaderValueOption> RequestToAdd,
    IReadOnlyList<string> RequestToRemove,
    IReadOnlyList<HeaderValueOption> ResponseToAdd,
    IReadOnlyList<string> ResponseToRemove,
    string Authority)
{
    /// <summary>No header changes.</summary>
    public static HeaderChanges None { get; } = new([], [], [], [], string.Empty);

    /// <summary>The operations of a rule's or a destination's <c>headers</c>; <see cref="None"/> when unset.</summary>
    public static HeaderChanges Of(Headers? headers)
    {
        if (headers is null)
        {
            return None;
        }

        var (requestSet, setAuthority) = Options(headers.Request?.Set ?? ValueMap<string>.Empty, append: false);
        var (requestAdd, addAuthority) = Options(headers.Request?.Add ?? ValueMap<string>.Empty, append: true);
        var (responseSet, _) = Options(headers.Response?.Set ?? ValueMap<string>.Empty, append: false);
        var (responseAdd, _) = Options(headers.Response?.Add ?? ValueMap<string>.Empty, append: true);
        return new HeaderChanges(
            [.. requestSet, .. requestAdd],
            WithoutInternal(headers.Request?.Remove ?? ValueList<string>.Empty),
            [.. responseSet, .. responseAdd],
            WithoutInternal(headers.Response?.Remove ?? ValueList<string>.Empty),
            setAuthority.Length > 0 ? setAuthority : addAuthority);
    }

    private static (List<HeaderValueOption> Options, string Authority) Options(ValueMap<string> headers, bool append)
    {
        var authority = string.Empty;
        var options = new List<HeaderValueOption>();
        foreach (var (name, value) in headers)
        {
            if (IsAuthority(name))
            {
                authority = value;
            }

            if (IsInternal(name))
            {
                continue;
            }

#pragma warning disable CS0612 // istiod 1.10 (and MOSN's converter) use the deprecated append flag
            options.Add(new HeaderValueOption { Header = new HeaderValue { Key = name, Value = value }, Append = append });
#pragma warning restore CS0612
        }

        // ValueMap is ordered by name already (ordinal, as Go compares strings).
        return (options, authority);
    }

    private static List<string> WithoutInternal(ValueList<string> names) => names.Where(n => !IsInternal(n)).ToList();

    private static bool IsInternal(string name) => name.StartsWith(':') || string.Equals(name, "host", StringComparison.OrdinalIgnoreCase);

    private static bool IsAuthority(string name) =>
        string.Equals(name, ":authority", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "host", StringComparison.OrdinalIgnoreCase);
}
