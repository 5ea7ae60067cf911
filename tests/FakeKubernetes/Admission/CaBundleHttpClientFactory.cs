namespace ControlPlane.FakeKubernetes.Admission;

/// <summary>HTTP clients for webhook calls, each trusting what one webhook's caBundle says.</summary>
public static class CaBundleHttpClientFactory
{
    /// <summary>
    /// A client whose TLS is judged by <paramref name="validator"/> alone. One per call: the
    /// validator remembers why it refused, and a fresh handler keeps one call's reason from another's.
    /// Timeouts come from the caller's token (timeoutSeconds), not from HttpClient.Timeout.
    /// </summary>
    public static HttpClient Create(CaBundleCertificateValidator validator)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = validator.Validate,
            // Webhooks here listen on loopback; a proxy from the environment must not intercept them.
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
