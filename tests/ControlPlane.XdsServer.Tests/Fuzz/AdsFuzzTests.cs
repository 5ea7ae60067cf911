using ControlPlane.Tests.Shared;
using ControlPlane.XdsServer.Generation;
using ControlPlane.XdsServer.Tests.Infrastructure;
using CsCheck;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Tests.Fuzz;

/// <summary>
/// Fuzzes what a proxy can send over ADS, through a real gRPC stream to a real server: random and
/// mutated DiscoveryRequest and DeltaDiscoveryRequest sequences (node, type URLs, names, versions,
/// nonces, error_detail), and mutated protobuf bytes. Every stream ends cleanly or with
/// INVALID_ARGUMENT / RESOURCE_EXHAUSTED, never INTERNAL or a hang; the server stays up for others,
/// drops every stream, never logs an error nor unbounded input.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class AdsFuzzTests : IAsyncLifetime
{
    private static readonly StatusCode[] Clean = [StatusCode.OK, StatusCode.InvalidArgument, StatusCode.ResourceExhausted];
    private static readonly string[] KnownNames = ["outbound|9080||reviews.default.svc.cluster.local", "9080", "*", "reviews.default.svc.cluster.local:9080", "virtualInbound", "BlackHoleCluster"];
    private static readonly string[] Keys = ["NAMESPACE", "LABELS", "INSTANCE_IPS", "ISTIO_VERSION", "GENERATOR", "PROXY_FLAVOR", "CLUSTER_ID", "ANNOTATIONS", ""];

    private static readonly Gen<string> Text = Gen.Frequency(
        (3, Gen.String[0, 24]),
        (2, Gen.OneOf(KnownNames.Select(Gen.Const).ToArray())),
        (1, Gen.Const(string.Empty)),
        (1, Gen.Char['~', '~'].Array[1, 6].Select(c => new string(c))),
        (1, Gen.Int[0, 3000].Select(n => new string('x', n))));

    private static readonly Gen<string> TypeUrl = Gen.Frequency(
        (6, Gen.OneOf(Gen.Const(TypeUrls.Cluster), Gen.Const(TypeUrls.Endpoint), Gen.Const(TypeUrls.Listener), Gen.Const(TypeUrls.Route))),
        (1, Text),
        (1, Gen.Const("type.googleapis.com/envoy.config.cluster.v3.Cluster ")));

    private static readonly Gen<Value> Scalar = Gen.OneOf(
        Text.Select(Value.ForString),
        Gen.Double.Select(Value.ForNumber),
        Gen.Bool.Select(Value.ForBool),
        Gen.Const(Value.ForNull()));

    private static readonly Gen<Value> Nested = Gen.OneOf(
        Scalar,
        Scalar.Array[0, 4].Select(values => Value.ForList(values)),
        Gen.Select(Text, Scalar).Array[0, 4].Select(pairs => Value.ForStruct(Struct(pairs))));

    private static readonly Gen<Node?> Nodes = Gen.Frequency(
        (6, Gen.Select(
            Gen.OneOf(Gen.Const("sidecar"), Gen.Const("router"), Text),
            Gen.OneOf(Gen.Const("10.0.0.1"), Gen.Const("::1"), Gen.Const("999.1.1.1"), Text),
            Gen.OneOf(Gen.Const("fuzz.default"), Gen.Const("."), Gen.Const("fuzz."), Text),
            Gen.OneOf(Gen.Const("default.svc.cluster.local"), Text),
            Gen.Select(Gen.OneOf(Keys.Select(Gen.Const).Append(Text).ToArray()), Nested).Array[0, 6])
            .Select(n => (Node?)new Node { Id = $"{n.Item1}~{n.Item2}~{n.Item3}~{n.Item4}", Metadata = Struct(n.Item5) })),
        (1, Text.Select(id => (Node?)new Node { Id = id })),
        (1, Gen.Const<Node?>((Node?)null)));

    private static readonly Gen<Google.Rpc.Status?> ErrorDetail = Gen.Frequency(
        (4, Gen.Const<Google.Rpc.Status?>((Google.Rpc.Status?)null)),
        (1, Gen.Select(Gen.Int, Text).Select(e => (Google.Rpc.Status?)new Google.Rpc.Status { Code = e.Item1, Message = e.Item2 })));

    private static readonly Gen<DiscoveryRequest> Sotw =
        Gen.Select(TypeUrl, Text.Array[0, 5], Text, Gen.OneOf(Gen.Const(string.Empty), Gen.Int[0, 5].Select(n => $"{n}"), Text), ErrorDetail)
            .Select(r =>
            {
                var request = new DiscoveryRequest { TypeUrl = r.Item1, VersionInfo = r.Item3, ResponseNonce = r.Item4, ErrorDetail = r.Item5 };
                request.ResourceNames.AddRange(r.Item2);
                return request;
            });

    private static readonly Gen<DeltaDiscoveryRequest> Delta =
        Gen.Select(TypeUrl, Text.Array[0, 5], Text.Array[0, 3], Gen.Select(Text, Text).Array[0, 3], Gen.OneOf(Gen.Const(string.Empty), Gen.Int[0, 5].Select(n => $"{n}"), Text), ErrorDetail)
            .Select(r =>
            {
                var request = new DeltaDiscoveryRequest { TypeUrl = r.Item1, ResponseNonce = r.Item5, ErrorDetail = r.Item6 };
                request.ResourceNamesSubscribe.AddRange(r.Item2);
                request.ResourceNamesUnsubscribe.AddRange(r.Item3);
                foreach (var (name, version) in r.Item4)
                {
                    request.InitialResourceVersions[name] = version;
                }

                return request;
            });

    private static readonly Method<byte[], byte[]> RawSotw = new(
        MethodType.DuplexStreaming, "envoy.service.discovery.v3.AggregatedDiscoveryService", "StreamAggregatedResources",
        Marshallers.Create(bytes => bytes, bytes => bytes), Marshallers.Create(bytes => bytes, bytes => bytes));

    private XdsServerInstance _server = null!;

    public async Task InitializeAsync() =>
        _server = await XdsServerInstance.StartAsync(new Dictionary<string, string>
        {
            ["mesh.yaml"] = Manifests.Join(
                Manifests.Service("reviews", "default", "10.96.0.10", 9080),
                Manifests.EndpointSlice("reviews", "default", 9080, "http", "10.1.0.1")),
        });

    public async Task DisposeAsync()
    {
        // Whatever the fuzzer sent, the server serves others, holds no stream, logged no error and no unbounded input.
        await using (var healthy = new SotwClient(_server.Channel, TestNodes.Sidecar(pod: "after-fuzz")))
        {
            (await healthy.RequestAsync(TypeUrls.Cluster)).Resources.Should().NotBeEmpty();
        }

        await Eventually.Until(() => _server.Connections.Count == 0, "every fuzzed stream to be dropped");
        _server.Logs.Events.Should().NotContain(e => e.Level >= LogLevel.Error);
        _server.Logs.Events.Should().NotContain(e => e.Message.Length > 4096, "client input is never logged unbounded");
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Random_state_of_the_world_request_sequences_end_cleanly()
    {
        await Gen.Select(Nodes, Sotw.Array[1, 5]).SampleAsync(
            async (node, requests) =>
            {
                requests[0].Node = node;
                using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_server.GrpcAddress);
                var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).StreamAggregatedResources();
                await RunAsync(call.RequestStream, call.ResponseStream, requests, r => r.TypeUrl, r => Check(r.Nonce), call);
            },
            iter: FuzzBudget.Iterations(150),
            time: FuzzBudget.Seconds,
            threads: 2,
            print: t => Print(t.Item1, t.Item2));
    }

    [Fact]
    public async Task Random_delta_request_sequences_end_cleanly()
    {
        await Gen.Select(Nodes, Delta.Array[1, 5]).SampleAsync(
            async (node, requests) =>
            {
                requests[0].Node = node;
                using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_server.GrpcAddress);
                var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).DeltaAggregatedResources();
                await RunAsync(call.RequestStream, call.ResponseStream, requests, r => r.TypeUrl, r => Check(r.Nonce), call);
            },
            iter: FuzzBudget.Iterations(150),
            time: FuzzBudget.Seconds,
            threads: 2,
            print: t => Print(t.Item1, t.Item2));
    }

    [Fact]
    public async Task Mutated_request_bytes_end_cleanly()
    {
        var frames = Gen.Select(Nodes, Sotw, Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 6])
            .Select(t =>
            {
                t.Item2.Node = t.Item1;
                var bytes = t.Item2.ToByteArray().ToList();
                foreach (var (kind, position, value) in t.Item3)
                {
                    var at = bytes.Count == 0 ? 0 : position % bytes.Count;
                    switch (kind)
                    {
                        case 0 when bytes.Count > 0:
                            bytes[at] ^= (byte)(value | 1);
                            break;
                        case 1:
                            bytes.Insert(at, value);
                            break;
                        case 2 when bytes.Count > 0:
                            bytes.RemoveRange(at, bytes.Count - at);
                            break;
                        default:
                            bytes.AddRange(BitConverter.GetBytes(position));
                            break;
                    }
                }

                return bytes.ToArray();
            }).Array[1, 3];

        await frames.SampleAsync(
            async messages =>
            {
                using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_server.GrpcAddress);
                var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(RawSotw, null, new CallOptions());
                await RunAsync(call.RequestStream, call.ResponseStream, messages, _ => TypeUrls.Cluster, _ => { }, call);
            },
            iter: FuzzBudget.Iterations(150),
            time: FuzzBudget.Seconds,
            threads: 2,
            print: messages => string.Join(" | ", messages.Select(Convert.ToBase64String)));
    }

    /// <summary>Sends the requests, half-closes, and reads until the server ends the stream: cleanly, or with a clear error, in time.</summary>
    private static async Task RunAsync<TRequest, TResponse>(
        IClientStreamWriter<TRequest> requests, IAsyncStreamReader<TResponse> responses, IReadOnlyList<TRequest> sent,
        Func<TRequest, string> typeOf, Action<TResponse> check, IDisposable call)
    {
        using (call)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                foreach (var request in sent)
                {
                    await requests.WriteAsync(request, deadline.Token);
                }

                await requests.CompleteAsync();
            }
            catch (RpcException)
            {
                // The server ended the stream while requests were still being written: its status is read below.
            }
            catch (InvalidOperationException)
            {
                // Writing after the call completed: likewise.
            }

            try
            {
                while (await responses.MoveNext(deadline.Token))
                {
                    check(responses.Current);
                }
            }
            catch (RpcException e) when (Clean.Contains(e.StatusCode))
            {
                e.Status.Detail.Length.Should().BeLessThan(1024, "an error quotes client input only in part");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"the stream neither ended nor answered within 20 s after {sent.Count} request(s) of types {string.Join(", ", sent.Select(typeOf).Select(t => t.Length > 80 ? t[..80] : t))}");
            }
        }
    }

    /// <summary>A failing sample as base64 protobuf: protobuf's own JSON formatter refuses some valid messages (a Value without a kind).</summary>
    private static string Print<T>(Node? node, T[] requests)
        where T : IMessage => $"node {(node is null ? "none" : Convert.ToBase64String(node.ToByteArray()))}; requests {string.Join(" | ", requests.Select(r => Convert.ToBase64String(r.ToByteArray())))}";

    private static void Check(string nonce) => nonce.Should().NotBeEmpty("every response carries a nonce");

    private static Struct Struct(IEnumerable<(string Key, Value Value)> fields)
    {
        var result = new Struct();
        foreach (var (key, value) in fields)
        {
            result.Fields[key] = value;
        }

        return result;
    }
}
