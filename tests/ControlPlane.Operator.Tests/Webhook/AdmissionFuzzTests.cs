using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes;
using ControlPlane.Operator.Tests.Infrastructure;
using ControlPlane.Tests.Shared;
using CsCheck;

namespace ControlPlane.Operator.Tests.Webhook;

/// <summary>
/// Fuzzes the injection webhook through its real HTTPS endpoint: pods with random sidecar
/// annotations, labels, probes, ports and resources, and AdmissionReviews with random parts replaced
/// by JSON of any type or removed. Every review is answered 200 (an AdmissionReview for its uid,
/// refusals with a reason) or 400; never 500, never a failure of the injector's own.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class AdmissionFuzzTests : IAsyncLifetime
{
    private static readonly string[] Annotations =
    [
        "sidecar.istio.io/inject", "sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyCPULimit", "sidecar.istio.io/proxyMemory", "sidecar.istio.io/proxyMemoryLimit",
        "sidecar.istio.io/proxyImage", "sidecar.istio.io/interceptionMode", "sidecar.istio.io/userVolume", "sidecar.istio.io/userVolumeMount", "sidecar.istio.io/logLevel",
        "sidecar.istio.io/componentLogLevel", "sidecar.istio.io/rewriteAppHTTPProbers", "sidecar.istio.io/statsInclusionPrefixes", "sidecar.istio.io/extraStatTags",
        "sidecar.istio.io/bootstrapOverride", "sidecar.istio.io/discoveryAddress", "sidecar.istio.io/status", "sidecar.istio.io/agentLogLevel", "sidecar.istio.io/enableCoreDump",
        "traffic.sidecar.istio.io/includeOutboundIPRanges", "traffic.sidecar.istio.io/excludeOutboundIPRanges", "traffic.sidecar.istio.io/includeInboundPorts",
        "traffic.sidecar.istio.io/excludeInboundPorts", "traffic.sidecar.istio.io/excludeOutboundPorts", "traffic.sidecar.istio.io/includeOutboundPorts",
        "traffic.sidecar.istio.io/kubevirtInterfaces", "status.sidecar.istio.io/port", "readiness.status.sidecar.istio.io/applicationPorts",
        "readiness.status.sidecar.istio.io/initialDelaySeconds", "readiness.status.sidecar.istio.io/periodSeconds", "readiness.status.sidecar.istio.io/failureThreshold",
        "proxy.istio.io/config", "proxy.istio.io/overrides", "prometheus.istio.io/merge-metrics", "prometheus.io/port", "prometheus.io/scrape", "prometheus.io/path",
        "mesh.controlplane.io/proxy-flavor", "inject.istio.io/templates", "istio.io/rev", "security.istio.io/tlsMode",
    ];

    private static readonly string[] Values =
    [
        "", "true", "false", "0", "-1", "65535", "65536", "99999999999999999999", "1.5", "100m", "lots", "1e3", "2Gi", "-5Mi", "NaN", "*", "10.0.0.0/8",
        "10.0.0.0/33", "::/0", "1,2,,3", "a,b", "REDIRECT", "TPROXY", "envoy", "mosn", "nginx", "{}", "[]", "{\"a\":1}", "[{\"name\":\"v\"}]", "null",
        "concurrency: 0", "holdApplicationUntilProxyStarts: true", "proxyMetadata: [1]", "terminationDrainDuration: 5x", "{{", "\u0000", "é\u2028", "\\", "'\"",
    ];

    private static readonly Gen<string> Value = Gen.Frequency((5, Gen.OneOf(Values.Select(Gen.Const).ToArray())), (1, Gen.String[0, 30]));

    private static readonly Gen<JsonNode?> AnyJson = Gen.OneOf(
        Value.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Long.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Double.Where(double.IsFinite).Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Bool.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Const<JsonNode?>(() => null),
        Value.Array[0, 3].Select(v => (JsonNode?)new JsonArray(v.Select(x => (JsonNode?)x).ToArray())),
        Gen.Select(Value, Value).Array[0, 3].Select(p => (JsonNode?)Object(p.Select(x => (x.Item1, (JsonNode?)x.Item2)))));

    private static readonly Gen<JsonNode?> Port = Gen.OneOf(
        Gen.Int[-2, 70000].Select(p => (JsonNode?)p),
        Value.Select(v => (JsonNode?)v));

    private static readonly Gen<JsonObject> Container = Gen.Select(
            Gen.OneOf(Gen.Const("app"), Gen.Const("istio-proxy"), Value),
            Port.Array[0, 2],
            Gen.Select(Port, Gen.OneOf(Gen.Const("/ready"), Value)).Array[0, 1],
            Gen.Select(Value, Value).Array[0, 2])
        .Select(c =>
        {
            var container = new JsonObject
            {
                ["name"] = c.Item1,
                ["image"] = "nginx",
                ["ports"] = new JsonArray(c.Item2.Select(p => (JsonNode?)new JsonObject { ["containerPort"] = p }).ToArray()),
                ["resources"] = new JsonObject { ["limits"] = Object(c.Item4.Select(l => (l.Item1.Length % 2 == 0 ? "cpu" : "memory", (JsonNode?)l.Item2))) },
            };
            if (c.Item3.Length > 0)
            {
                container["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["port"] = c.Item3[0].Item1, ["path"] = c.Item3[0].Item2 } };
            }

            return container;
        });

    private static readonly Gen<JsonObject> Pod = Gen.Select(
            Gen.Select(Gen.OneOf(Annotations.Select(Gen.Const).ToArray()), Value).Array[0, 6],
            Gen.Select(Gen.OneOf(Gen.Const("istio.io/rev"), Gen.Const("sidecar.istio.io/inject"), Gen.Const("app"), Gen.Const("mesh.controlplane.io/proxy-flavor")), Value).Array[0, 3],
            Container.Array[1, 3],
            Gen.Bool)
        .Select(p => new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = "fuzz",
                ["annotations"] = Object(p.Item1.Select(a => (a.Item1, (JsonNode?)a.Item2))),
                ["labels"] = Object(p.Item2.Select(l => (l.Item1, (JsonNode?)l.Item2))),
            },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(p.Item3.Select(c => (JsonNode?)c).ToArray()), ["hostNetwork"] = p.Item4 && p.Item3.Length == 3 },
        });

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

    [Fact]
    public async Task Random_pods_are_injected_or_refused_with_a_reason()
    {
        using var client = _operator.WebhookClient();
        await Pod.SampleAsync(
            async pod => await ExpectAnsweredAsync(client, AdmissionReviews.ForPodCreate(_enabled, pod)),
            iter: FuzzBudget.Iterations(200),
            time: FuzzBudget.Seconds,
            threads: 2,
            print: pod => pod.ToJsonString());
        ExpectNoFailureLogged();
    }

    [Fact]
    public async Task Reviews_with_random_parts_replaced_or_removed_get_200_or_400()
    {
        using var client = _operator.WebhookClient();
        var mutations = Gen.Select(Gen.Int[0, int.MaxValue], Gen.Bool, AnyJson).Array[1, 4];
        await Gen.Select(Pod, mutations).SampleAsync(
            async (pod, changes) =>
            {
                var review = AdmissionReviews.ForPodCreate(_enabled, pod);
                foreach (var (pick, remove, value) in changes)
                {
                    Replace(review, pick, remove, value);
                }

                await ExpectAnsweredAsync(client, review);
            },
            iter: FuzzBudget.Iterations(200),
            time: FuzzBudget.Seconds,
            threads: 2,
            print: t => t.Item1.ToJsonString());
        ExpectNoFailureLogged();
    }

    private static async Task ExpectAnsweredAsync(HttpClient client, JsonObject review)
    {
        var body = review.ToJsonString();
        using var response = await client.PostAsync("/inject", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().BeOneOf([HttpStatusCode.OK, HttpStatusCode.BadRequest], text);
        var answer = JsonNode.Parse(text)!.AsObject();
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            answer["error"]!.GetValue<string>().Should().StartWith("invalid AdmissionReview: ");
            return;
        }

        var result = answer["response"]!.AsObject();
        result["uid"]!.GetValue<string>().Should().Be(review["request"]!["uid"]!.GetValue<string>());
        if (!result["allowed"]!.GetValue<bool>())
        {
            result["status"]!["code"]!.GetValue<int>().Should().Be(400, $"a refusal is about the pod, not a failure of the injector: {result["status"]!["message"]}");
            result["status"]!["message"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        }
        else if (result["patch"] is { } patch)
        {
            JsonNode.Parse(Convert.FromBase64String(patch.GetValue<string>())).Should().BeOfType<JsonArray>();
        }
    }

    /// <summary>Replaces (or removes) one node of the review, picked by <paramref name="pick"/> among all its nodes below the root.</summary>
    private static void Replace(JsonObject review, int pick, bool remove, JsonNode? value)
    {
        var nodes = new List<(JsonNode Parent, string? Key, int Index)>();
        void Walk(JsonNode node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj.ToList())
                    {
                        nodes.Add((obj, key, -1));
                        if (child is not null)
                        {
                            Walk(child);
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        nodes.Add((array, null, i));
                        if (array[i] is { } child)
                        {
                            Walk(child);
                        }
                    }

                    break;
            }
        }

        Walk(review);
        // The review's own uid stays a string, so that every answer can be matched to its request.
        nodes.RemoveAll(n => n.Key == "uid" || (n.Key == "request" && n.Parent == review));
        if (nodes.Count == 0)
        {
            return;
        }

        var (parent, name, index) = nodes[pick % nodes.Count];
        var copy = value?.DeepClone();
        switch (parent)
        {
            case JsonObject obj when remove:
                obj.Remove(name!);
                break;
            case JsonObject obj:
                obj[name!] = copy;
                break;
            case JsonArray array when remove:
                array.RemoveAt(index);
                break;
            case JsonArray array:
                array[index] = copy;
                break;
        }
    }

    private void ExpectNoFailureLogged() =>
        _operator.Logs.Messages.Should().NotContain(m => m.StartsWith("Error:", StringComparison.Ordinal) || m.StartsWith("Critical:", StringComparison.Ordinal));

    private static JsonObject Object(IEnumerable<(string Key, JsonNode? Value)> pairs)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            obj[key] = value?.DeepClone();
        }

        return obj;
    }
}
