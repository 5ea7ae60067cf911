using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>A request the API server refuses, answered with a meta/v1 Status as the real one does.</summary>
public sealed class ApiError(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["code"] = Code,
    };

    public static ApiError NotFound(string what) => new(404, "NotFound", $"{what} not found");

    public static ApiError AlreadyExists(string what) => new(409, "AlreadyExists", $"{what} already exists");

    public static ApiError Conflict(string what) => new(409, "Conflict", $"Operation cannot be fulfilled on {what}: the object has been modified; please apply your changes to the latest version and try again");

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiError Gone(string message) => new(410, "Expired", message);
}
