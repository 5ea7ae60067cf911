using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>What the API server answered when the real client's call failed: the HTTP code and the meta/v1 Status.</summary>
public sealed record ApiFailure(HttpStatusCode Code, JsonObject Status)
{
    public string Message => Status["message"]!.GetValue<string>();

    public string? Reason => Status["reason"]?.GetValue<string>();

    public static async Task<ApiFailure> CaptureAsync(Func<Task> call)
    {
        var thrown = await FluentActions.Awaiting(call).Should().ThrowAsync<HttpOperationException>();
        var response = thrown.Which.Response;
        return new ApiFailure(response.StatusCode, JsonNode.Parse(response.Content)!.AsObject());
    }
}
