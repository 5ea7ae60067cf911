namespace ControlPlane.FakeKubernetes;

/// <summary>A parsed request path: /api/v1/... or /apis/GROUP/VERSION/..., optionally namespaced, named, and /status.</summary>
public sealed record ApiPath(ResourceType Type, string? Namespace, string? Name, bool Status)
{
    public static ApiPath Parse(string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        int rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            throw ApiError.NotFound($"path {path}");
        }

        var tail = segments[rest..];
        string? ns = null;
        if (tail.Length >= 3 && tail[0] == "namespaces" && tail[2] != "status")
        {
            ns = tail[1];
            tail = tail[2..];
        }

        if (tail.Length == 0)
        {
            throw ApiError.NotFound($"path {path}");
        }

        var type = ResourceType.Find(group, version, tail[0]) ?? throw ApiError.NotFound($"the server could not find the requested resource ({path})");
        var name = tail.Length > 1 ? tail[1] : null;
        var status = tail.Length > 2 && tail[2] == "status";
        return new ApiPath(type, type.Namespaced ? ns : null, name, status);
    }
}
