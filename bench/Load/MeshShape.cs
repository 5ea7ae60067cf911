namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// The generated mesh's names and addresses, as pure functions of indexes: S services in
/// <see cref="Namespaces"/> namespaces, E endpoints each, and which of them carry Istio traffic rules.
/// Addresses are only data in YAML and node ids: nothing is ever sent to them.
/// </summary>
internal sealed record MeshShape(int Services, int Endpoints, int Namespaces, double IstioShare)
{
    public const string Domain = "svc.cluster.local";

    /// <summary>Pod addresses come from 10.0.0.0/8 below the service range, so S×E is limited.</summary>
    public const int MaxPods = 96 * 62_500;

    public string Namespace(int service) => $"ns-{service % Namespaces}";

    public string Name(int service) => $"svc-{service}";

    public string Host(int service) => $"{Name(service)}.{Namespace(service)}.{Domain}";

    /// <summary>Seven in ten services speak HTTP on 8080, two gRPC on 9090, one TCP (redis) on 6379.</summary>
    public (string Name, int Port) PortOf(int service) => (service % 10) switch
    {
        < 7 => ("http", 8080),
        < 9 => ("grpc", 9090),
        _ => ("tcp-redis", 6379),
    };

    public bool IsHttp(int service) => service % 10 < 7;

    public string ClusterIp(int service) => Address(96 + (service / 62_500), service % 62_500);

    public string EndpointIp(int service, int endpoint) => Address(0, (service * Endpoints) + endpoint);

    public string EndpointPod(int service, int endpoint) => $"{Name(service)}-{endpoint}";

    /// <summary>Services given a DestinationRule (subsets v1, v2) and a VirtualService: HTTP ones, about <see cref="IstioShare"/> of all.</summary>
    public IReadOnlyList<int> IstioServices()
    {
        if (IstioShare <= 0)
        {
            return [];
        }

        var step = Math.Max(1, (int)Math.Round(1 / IstioShare));
        return Enumerable.Range(0, Services).Where(s => s % step == 0 && IsHttp(s)).ToList();
    }

    /// <summary>
    /// Proxy i is the sidecar of endpoint (i mod S, i div S) while there are endpoints left, so its
    /// address is unique and serves a service (its view has that inbound port). Beyond S×E proxies
    /// get unique addresses in 100.64.0.0/10 that serve nothing (views with no inbound ports).
    /// </summary>
    public ProxyIdentity Proxy(int index)
    {
        if (index < Services * Endpoints)
        {
            var service = index % Services;
            var endpoint = index / Services;
            return new ProxyIdentity(index, EndpointIp(service, endpoint), EndpointPod(service, endpoint), Namespace(service), Name(service));
        }

        var extra = index - (Services * Endpoints);
        return new ProxyIdentity(index, $"100.{64 + (extra / 65_536)}.{extra / 256 % 256}.{extra % 256}", $"client-{index}", $"ns-{index % Namespaces}", "client");
    }

    /// <summary>An address of 198.18.0.0/15 (the benchmarking range), unique per <paramref name="index"/>.</summary>
    public static string BenchmarkIp(int index) => $"198.{18 + (index / 65_536 % 2)}.{index / 256 % 256}.{index % 256}";

    private static string Address(int first, int index) => $"10.{first + (index / 62_500)}.{index / 250 % 250}.{(index % 250) + 1}";
}
