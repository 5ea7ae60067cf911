using System.Text.Json.Nodes;
using k8s.Models;

namespace ControlPlane.Operator.Tests.Injection;

/// <summary>Istio 1.10 points application HTTP probes at pilot-agent (15020) and hands it the originals.</summary>
public sealed class AppProbeRewriteTests
{
    [Fact]
    public void Http_probes_go_to_the_agent_which_gets_the_originals_with_named_ports_resolved()
    {
        var pod = InjectedPod.BasePod();
        var app = pod.Spec.Containers[0];
        app.LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/live", Port = 8081 }, TimeoutSeconds = 4 };
        app.StartupProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/started", Port = "http" }, FailureThreshold = 30 };

        var injected = InjectedPod.Of(pod);

        injected.Expect("app:/readinessProbe/httpGet={\"path\":\"/app-health/app/readyz\",\"port\":15020}");
        injected.Expect("app:/livenessProbe/httpGet={\"path\":\"/app-health/app/livez\",\"port\":15020}");
        injected.Expect("app:/livenessProbe/timeoutSeconds=4");
        injected.Expect("app:/startupProbe/httpGet/path=/app-health/app/startupz");
        injected.Expect("app:/startupProbe/failureThreshold=30");
        Probers(injected).Should().Be(JsonNode.Parse("""
            {
              "/app-health/app/livez": {"httpGet": {"path": "/live", "port": 8081}, "timeoutSeconds": 4},
              "/app-health/app/readyz": {"httpGet": {"path": "/ready", "port": 8080}},
              "/app-health/app/startupz": {"httpGet": {"path": "/started", "port": 8080}}
            }
            """)!.ToJsonString());
    }

    [Fact]
    public void An_https_probe_is_http_to_the_agent_which_probes_the_app_with_https()
    {
        var pod = InjectedPod.BasePod();
        pod.Spec.Containers[0].ReadinessProbe.HttpGet = new V1HTTPGetAction { Path = "/ready", Port = 8443, Scheme = "HTTPS" };

        var injected = InjectedPod.Of(pod);

        injected.Expect("app:/readinessProbe/httpGet/scheme=HTTP");
        injected.Expect("app:/readinessProbe/httpGet/port=15020");
        Probers(injected).Should().Contain("\"scheme\":\"HTTPS\"").And.Contain("\"port\":8443");
    }

    [Fact]
    public void Exec_and_tcp_probes_stay_and_nothing_is_handed_over_without_http_probes()
    {
        var pod = InjectedPod.BasePod();
        pod.Spec.Containers[0].ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["cat", "/tmp/ready"] } };
        pod.Spec.Containers[0].LivenessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = 8080 } };

        var injected = InjectedPod.Of(pod);

        injected.Expect("app:/readinessProbe={\"exec\":{\"command\":[\"cat\",\"/tmp/ready\"]}}");
        injected.Expect("app:/livenessProbe/tcpSocket/port=8080");
        injected.Expect("proxy:/env/ISTIO_KUBE_APP_PROBERS!");
    }

    [Fact]
    public void A_probe_on_a_port_the_container_does_not_declare_stays_with_a_warning()
    {
        var pod = InjectedPod.BasePod();
        pod.Spec.Containers[0].ReadinessProbe.HttpGet.Port = "admin";

        var injected = InjectedPod.Of(pod);

        injected.Expect("app:/readinessProbe/httpGet/port=admin");
        injected.Expect("proxy:/env/ISTIO_KUBE_APP_PROBERS!");
        injected.Outcome.Warnings.Should().ContainSingle(w => w.Contains("container app", StringComparison.Ordinal) && w.Contains("'admin'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_probe_already_on_the_status_port_stays()
    {
        var pod = InjectedPod.BasePod();
        pod.Spec.Containers[0].ReadinessProbe.HttpGet = new V1HTTPGetAction { Path = "/app-health/app/readyz", Port = 15020 };

        var injected = InjectedPod.Of(pod);

        injected.Expect("app:/readinessProbe/httpGet/path=/app-health/app/readyz");
        injected.Expect("proxy:/env/ISTIO_KUBE_APP_PROBERS!");
    }

    [Fact]
    public void Turned_off_by_the_annotation_the_probes_stay_on_the_app()
    {
        var injected = InjectedPod.Of(InjectedPod.BasePod(new Dictionary<string, string> { ["sidecar.istio.io/rewriteAppHTTPProbers"] = "false" }));

        injected.Expect("app:/readinessProbe/httpGet={\"path\":\"/ready\",\"port\":\"http\"}");
        injected.Expect("proxy:/env/ISTIO_KUBE_APP_PROBERS!");
    }

    [Fact]
    public void Probes_of_every_app_container_are_rewritten_when_the_proxy_starts_first()
    {
        var pod = InjectedPod.BasePod(new Dictionary<string, string> { ["proxy.istio.io/config"] = "holdApplicationUntilProxyStarts: true" });
        pod.Spec.Containers.Add(new V1Container
        {
            Name = "worker",
            Image = "busybox",
            LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 9000 } },
        });

        var injected = InjectedPod.Of(pod);

        injected.Expect("pod:/spec/containers/0/name=istio-proxy");
        injected.Expect("app:/readinessProbe/httpGet/path=/app-health/app/readyz");
        injected.Expect("pod:/spec/containers/2/livenessProbe/httpGet/path=/app-health/worker/livez");
        injected.Expect("proxy:/readinessProbe/httpGet/path=/healthz/ready");
    }

    private static string Probers(InjectedPod injected)
    {
        var proxy = injected.Patched!["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "istio-proxy")!;
        var value = proxy["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "ISTIO_KUBE_APP_PROBERS")!["value"]!.GetValue<string>();
        return JsonNode.Parse(value)!.ToJsonString();
    }
}
