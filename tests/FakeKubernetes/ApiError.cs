using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes;

/// <summary>A request the API server refuses, answered with a meta/v1 Status as the real one does.</summary>
public sealed class ApiError(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };

        // A webhook may deny without a reason; the real server then leaves the field out.
        if (Reason.Length > 0)
        {
            status["reason"] = Reason;
        }

        status["code"] = Code;
        return status;
    }

    public static ApiError NotFound(string what) => new(404, "NotFound", $"{what} not found");

    public static ApiError AlreadyExists(string what) => new(409, "AlreadyExists", $"{what} already exists");

    public static ApiError Conflict(string what) => new(409, "Conflict", $"Operation cannot be fulfilled on {what}: the object has been modified; please apply your changes to the latest version and try again");

    /// <summary>An admission plugin's refusal: 403, "KIND \"NAME\" is forbidden: REASON" as the real server words it.</summary>
    public static ApiError Forbidden(string plural, string name, string reason) => new(403, "Forbidden", $"{plural} \"{name}\" is forbidden: {reason}");

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>The real server's apierrors.NewInternalError: 500, with its fixed message prefix.</summary>
    public static ApiError InternalError(string message) => new(500, "InternalError", $"Internal error occurred: {message}");

    public static ApiError Gone(string message) => new(410, "Expired", message);
}
