using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>Posts one AdmissionReview to one webhook's clientConfig.url over HTTPS and reads the answer.</summary>
public static class WebhookCaller
{
    /// <summary>The API server's default when a webhook sets no timeoutSeconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <exception cref="WebhookCallException">Unreachable, refused TLS, timed out, or answered with something unusable.</exception>
    public static async Task<AdmissionResponse> CallAsync(JsonObject webhook, JsonObject review, string uid, CancellationToken cancellationToken)
    {
        // The fake speaks v1 only; a real server would send v1beta1 to such a webhook.
        if (webhook["admissionReviewVersions"] is JsonArray { Count: > 0 } versions && !versions.Any(v => v is JsonValue s && s.TryGetValue<string>(out var text) && text == "v1"))
        {
            throw new WebhookCallException("the fake API server sends only admission.k8s.io/v1 AdmissionReviews, and admissionReviewVersions does not list v1");
        }

        var clientConfig = webhook["clientConfig"] as JsonObject ?? throw new WebhookCallException("the webhook has no clientConfig");
        var timeout = webhook["timeoutSeconds"] is JsonValue seconds && seconds.TryGetValue<int>(out var s) && s > 0 ? TimeSpan.FromSeconds(s) : DefaultTimeout;
        var url = RequestUri(clientConfig, timeout);

        using var validator = CaBundleCertificateValidator.FromCaBundle(Text(clientConfig["caBundle"]));
        using var client = CaBundleHttpClientFactory.Create(validator);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        int status;
        string body;
        try
        {
            using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(url, content, deadline.Token);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookCallException($"failed to call webhook: Post \"{url}\": context deadline exceeded (no answer within {timeout.TotalSeconds}s)", e);
        }
        catch (HttpRequestException e)
        {
            // A refused certificate surfaces as a bare "SSL connection could not be established"; say why.
            throw new WebhookCallException($"failed to call webhook: Post \"{url}\": {validator.Rejection ?? Describe(e)}", e);
        }

        if (status is < 200 or > 299)
        {
            var excerpt = body.Length > 200 ? body[..200] + "..." : body;
            throw new WebhookCallException($"failed to call webhook: the server responded with HTTP {status}: {excerpt}");
        }

        return AdmissionResponse.Read(body, uid);
    }

    private static Uri RequestUri(JsonObject clientConfig, TimeSpan timeout)
    {
        if (Text(clientConfig["url"]) is not { } url)
        {
            // The fake has no cluster network, so no Service can stand behind a webhook.
            throw clientConfig["service"] is JsonObject service
                ? new WebhookCallException($"clientConfig.service {Text(service["namespace"])}/{Text(service["name"])} cannot be reached from the fake API server, which has no cluster network; give the webhook a clientConfig.url instead")
                : new WebhookCallException("clientConfig has neither url nor service");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new WebhookCallException($"clientConfig.url \"{url}\" is not an https URL");
        }

        // The real server tells the webhook its deadline in the query, as client-go's Timeout() does.
        var builder = new UriBuilder(uri);
        var timeoutParameter = "timeout=" + timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
        builder.Query = string.IsNullOrEmpty(builder.Query) ? timeoutParameter : builder.Query.TrimStart('?') + "&" + timeoutParameter;
        return builder.Uri;
    }

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join(": ", messages.Distinct());
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
