using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;

namespace ControlPlane.Operator.Tests.Webhook;

/// <summary>
/// Whatever reaches /inject gets an answer with a reason: 400 for what is not an AdmissionReview,
/// <c>allowed: false</c> for a review whose pod is not a valid Pod, 413 for a body over the limit;
/// never an empty 500, a dropped connection or an unhandled exception.
/// </summary>
public sealed class MalformedAdmissionTests : IAsyncLifetime
{
    private const string Review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":";
    private TestCluster _cluster = null!;
    private OperatorInstance _operator = null!;
    private string _enabled = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync();
        await CrdInstaller.EnsureAsync(_cluster);
        var home = await _cluster.CreateNamespaceAsync("cp");
        _enabled = await _cluster.CreateNamespaceAsync("shop", new Dictionary<string, string> { ["istio-injection"] = "enabled" });
        _operator = await OperatorInstance.StartAsync(_cluster, home);
    }

    public async Task DisposeAsync()
    {
        await _operator.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Theory]
    [InlineData(Review + "{\"uid\":42,\"object\":{}}}", "request.uid must be a string, not number")]
    [InlineData(Review + "{\"uid\":\"u1\",\"kind\":\"Pod\",\"object\":{}}}", "request.kind must be an object")]
    [InlineData(Review + "{\"uid\":\"u1\",\"namespace\":[\"a\"],\"object\":{}}}", "request.namespace must be a string, not array")]
    [InlineData(Review + "{\"uid\":\"u1\",\"operation\":{\"op\":1},\"object\":{}}}", "request.operation must be a string, not object")]
    [InlineData(Review + "{\"uid\":\"u1\",\"object\":{\"kind\":7}}}", "request.object.kind must be a string")]
    [InlineData(Review + "{\"uid\":\"u1\",\"object\":{\"metadata\":{\"namespace\":true}}}}", "request.object.metadata.namespace must be a string")]
    [InlineData(Review + "{\"uid\":\"u1\",\"object\":\"pod\"}}", "has no object")]
    [InlineData(Review + "[1]}", "has no request")]
    [InlineData("{\"apiVersion\":1,\"kind\":\"AdmissionReview\"}", "apiVersion must be a string")]
    [InlineData("", "invalid AdmissionReview")]
    [InlineData("null", "must be a JSON object")]
    [InlineData("{\"apiVersion\":", "invalid AdmissionReview")]
    public async Task A_body_that_is_not_an_admission_review_gets_400_with_the_reason(string body, string reason)
    {
        using var client = _operator.WebhookClient();

        using var response = await client.PostAsync("/inject", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(reason);
        await ExpectStillServingAsync();
    }

    [Fact]
    public async Task Json_nested_deeper_than_the_parser_allows_gets_400()
    {
        using var client = _operator.WebhookClient();
        var body = new string('[', 10_000) + new string(']', 10_000);

        using var response = await client.PostAsync("/inject", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("invalid AdmissionReview").And.Contain("depth");
    }

    public static TheoryData<string, string, string> InvalidPods => new()
    {
        { "a CPU limit that is no quantity", """{"containers":[{"name":"app","image":"nginx","resources":{"limits":{"cpu":"lots"}}}]}""", "lots" },
        { "containers that are no list", """{"containers":{"name":"app"}}""", "not a valid Pod" },
        { "a container port that is no number", """{"containers":[{"name":"app","image":"nginx","ports":[{"containerPort":"eighty"}]}]}""", "not a valid Pod" },
        { "a probe port that is neither number nor name", """{"containers":[{"name":"app","image":"nginx","readinessProbe":{"httpGet":{"port":{"x":1}}}}]}""", "not a valid Pod" },
    };

    [Theory]
    [MemberData(nameof(InvalidPods))]
    public async Task A_review_whose_pod_is_not_a_valid_pod_is_refused_with_the_reason(string what, string spec, string reason)
    {
        using var client = _operator.WebhookClient();
        var pod = AdmissionReviews.Pod("web-" + Guid.NewGuid().ToString("N")[..6]);
        pod["spec"] = JsonNode.Parse(spec);

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, pod));

        response["allowed"]!.GetValue<bool>().Should().BeFalse(what);
        response["status"]!["message"]!.GetValue<string>().Should().Contain(reason);
        await ExpectStillServingAsync();
    }

    [Theory]
    [InlineData("metadata", "\"web\"")]
    [InlineData("metadata", "{\"name\":\"web\",\"annotations\":{\"sidecar.istio.io/inject\":true}}")]
    [InlineData("metadata", "{\"name\":\"web\",\"creationTimestamp\":\"yesterday\"}")]
    [InlineData("spec", "[]")]
    public async Task A_pod_with_fields_of_the_wrong_type_is_refused_not_failed(string field, string value)
    {
        using var client = _operator.WebhookClient();
        var pod = AdmissionReviews.Pod("web");
        pod[field] = JsonNode.Parse(value);

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, pod));

        response["allowed"]!.GetValue<bool>().Should().BeFalse();
        response["status"]!["message"]!.GetValue<string>().Should().Contain("not a valid Pod");
    }

    /// <summary>Found by AdmissionFuzzTests: each of these made the injector throw (answered as a failure of its own).</summary>
    [Theory]
    [InlineData("a null container", "{}", "{\"containers\":[null]}", "object.spec.containers[0] is null")]
    [InlineData("an annotation whose value is null", "{\"prometheus.io/scrape\":null}", null, "object.metadata.annotations[prometheus.io/scrape] is null")]
    [InlineData("a quantity annotation of NaN", "{\"sidecar.istio.io/proxyMemory\":\"NaN\"}", null, "sidecar.istio.io/proxyMemory")]
    [InlineData("a nameless container whose probe names an undeclared port", "{}", "{\"containers\":[{\"image\":\"nginx\",\"readinessProbe\":{\"httpGet\":{\"port\":\"web\",\"path\":\"/\"}}}]}", null)]
    public async Task Pods_the_fuzzer_found_are_answered_with_a_reason(string what, string annotations, string? spec, string? refusal)
    {
        using var client = _operator.WebhookClient();
        var pod = AdmissionReviews.Pod("web-" + Guid.NewGuid().ToString("N")[..6]);
        pod["metadata"]!["annotations"] = JsonNode.Parse(annotations);
        if (spec is not null)
        {
            pod["spec"] = JsonNode.Parse(spec);
        }

        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, pod));

        if (refusal is null)
        {
            response["allowed"]!.GetValue<bool>().Should().BeTrue(what);
        }
        else
        {
            response["allowed"]!.GetValue<bool>().Should().BeFalse(what);
            response["status"]!["code"]!.GetValue<int>().Should().Be(400, what);
            response["status"]!["message"]!.GetValue<string>().Should().Contain(refusal);
        }

        await ExpectStillServingAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_gets_413_with_the_reason(bool withContentLength)
    {
        using var client = _operator.WebhookClient();
        var padding = new string('x', 40 * 1024 * 1024);
        var body = Encoding.UTF8.GetBytes(Review + "{\"uid\":\"u1\",\"object\":{\"padding\":\"" + padding + "\"}}}");
        HttpContent content = withContentLength ? new ByteArrayContent(body) : new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new("application/json");
        if (!withContentLength)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/inject") { Content = content };
        if (!withContentLength)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).Should().Contain("too large").And.Contain($"{_operator.Options.MaxAdmissionReviewBytes}");
        await ExpectStillServingAsync();
    }

    /// <summary>The webhook still injects a good pod, and nothing it received was an unhandled exception.</summary>
    private async Task ExpectStillServingAsync()
    {
        using var client = _operator.WebhookClient();
        var response = await AdmissionReviews.PostAsync(client, AdmissionReviews.ForPodCreate(_enabled, AdmissionReviews.Pod("good")));
        response["allowed"]!.GetValue<bool>().Should().BeTrue();
        _operator.Logs.Messages.Should().NotContain(m => m.StartsWith("Error:", StringComparison.Ordinal) || m.StartsWith("Critical:", StringComparison.Ordinal));
    }
}
