using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Tests.Infrastructure;

/// <summary>One AdmissionReview a test webhook was sent, with the path and query it was posted to.</summary>
public sealed record ReceivedReview(string PathAndQuery, JsonObject Review)
{
    public JsonObject Request => (JsonObject)Review["request"]!;

    public JsonObject Object => (JsonObject)Request["object"]!;
}
