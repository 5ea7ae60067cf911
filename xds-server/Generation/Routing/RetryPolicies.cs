using System.Net;
using ControlPlane.Mesh.Model.Istio;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Retry.Host.PreviousHosts.V3;
using Envoy.Extensions.Retry.Priority.PreviousPriorities.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.XdsServer.Generation.Routing;

/// <summary>Retry policies as istiod 1.10's route/retry package makes them.</summary>
public static class RetryPolicies
{
    /// <summary>Istio's default: retry what certainly did not reach the application, twice, on another host.</summary>
    public const string DefaultRetryOn = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

    /// <summary>
    /// Istio's default policy: 2 retries on <see cref="DefaultRetryOn"/> and 503, preferring hosts
    /// not tried yet (up to 5 host selections). The previous-hosts predicate carries its typed
    /// config (istiod 1.10 names it only), which every Envoy from 1.18 on accepts.
    /// </summary>
    public static RetryPolicy Default() => new()
    {
        RetryOn = DefaultRetryOn,
        NumRetries = 2,
        RetryHostPredicate =
        {
            new RetryPolicy.Types.RetryHostPredicate
            {
                Name = "envoy.retry_host_predicates.previous_hosts",
                TypedConfig = Any.Pack(new PreviousHostsPredicate()),
            },
        },
        HostSelectionRetryMaxAttempts = 5,
        RetriableStatusCodes = { 503 },
    };

    /// <summary>
    /// istiod's ConvertPolicy: none set is <see cref="Default"/>; attempts 0 (or less) is no retry
    /// policy at all; otherwise the default with the attempts, the retryOn list (entries that are
    /// HTTP status codes become retriable status codes, replacing 503), the per-try timeout, and
    /// for retryRemoteLocalities the previous-priorities retry priority (update frequency 2).
    /// </summary>
    /// <returns>Null when retries are disabled.</returns>
    public static RetryPolicy? Convert(HttpRetry? retries)
    {
        if (retries is null)
        {
            return Default();
        }

        if (retries.Attempts <= 0)
        {
            return null;
        }

        var policy = Default();
        policy.NumRetries = (uint)retries.Attempts;
        if (!string.IsNullOrEmpty(retries.RetryOn))
        {
            var (conditions, codes) = ParseRetryOn(retries.RetryOn);
            policy.RetryOn = conditions;
            policy.RetriableStatusCodes.Clear();
            policy.RetriableStatusCodes.AddRange(codes);
        }

        if (retries.PerTryTimeout is { } perTry)
        {
            policy.PerTryTimeout = Duration.FromTimeSpan(perTry);
        }

        if (retries.RetryRemoteLocalities == true)
        {
            policy.RetryPriority = new RetryPolicy.Types.RetryPriority
            {
                Name = "envoy.retry_priorities.previous_priorities",
                TypedConfig = Any.Pack(new PreviousPrioritiesConfig { UpdateFrequency = 2 }),
            };
        }

        return policy;
    }

    /// <summary>Splits "5xx,503,reset" into the Envoy conditions "5xx,reset" and the status codes [503].</summary>
    private static (string Conditions, List<uint> Codes) ParseRetryOn(string retryOn)
    {
        var conditions = new List<string>();
        var codes = new List<uint>();
        foreach (var raw in retryOn.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            if (int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var code) && IsKnownStatus(code))
            {
                codes.Add((uint)code);
            }
            else
            {
                conditions.Add(part);
            }
        }

        return (string.Join(',', conditions), codes);
    }

    /// <summary>Go's http.StatusText is non-empty: the status codes Go names.</summary>
    private static bool IsKnownStatus(int code) =>
        code is 100 or 101 or 102 or 103 || (code >= 200 && code <= 208) || code == 226 || (code >= 300 && code <= 308 && code != 306) ||
        (code >= 400 && code <= 418) || code is 421 or 422 or 423 or 424 or 425 or 426 or 428 or 429 or 431 or 451 ||
        (code >= 500 && code <= 508) || code is 510 or 511;
}
