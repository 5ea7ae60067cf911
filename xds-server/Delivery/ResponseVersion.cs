using ControlPlane.XdsServer.Generation;

namespace ControlPlane.XdsServer.Delivery;

/// <summary>
/// A state-of-the-world response's version: a digest of the names and versions it carries, so the
/// same content always gets the same version and re-sending it can be recognised and skipped.
/// </summary>
public static class ResponseVersion
{
    public static string Of(IReadOnlyList<XdsResource> resources)
    {
        const ulong offset = 14695981039346656037;
        const ulong prime = 1099511628211;
        var hash = offset;
        foreach (var resource in resources)
        {
            foreach (var c in resource.Name)
            {
                hash = (hash ^ c) * prime;
            }

            hash = (hash ^ 0) * prime;
            foreach (var c in resource.Version)
            {
                hash = (hash ^ c) * prime;
            }

            hash = (hash ^ 0) * prime;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
