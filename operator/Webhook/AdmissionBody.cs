using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ControlPlane.Operator.Webhook;

/// <summary>
/// Reads an AdmissionReview body up to a limit. A larger body is read to its end and discarded (up
/// to <see cref="DrainLimitBytes"/>), so that the client receives the 413 rather than a connection
/// reset in the middle of its upload; memory stays bounded by the limit either way.
/// </summary>
internal static class AdmissionBody
{
    /// <summary>How much of an oversized body is read and thrown away so the 413 reaches the client; beyond it the connection is closed.</summary>
    public const long DrainLimitBytes = 64L * 1024 * 1024;

    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="BadHttpRequestException">The body is malformed on the wire (e.g. a broken chunk) or the client stopped sending it.</exception>
    public static async Task<MemoryStream?> ReadAsync(HttpContext context, long maxBytes, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // This reader enforces maxBytes; the server-wide limit only bounds the draining of an oversized body.
            limit.MaxRequestBodySize = Math.Max(maxBytes, DrainLimitBytes);
        }

        var body = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            if (context.Request.ContentLength is not > DrainLimitBytes)
            {
                int read;
                while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    if (body.Length + read > maxBytes)
                    {
                        await DrainAsync(context.Request.Body, chunk, cancellationToken);
                        return null;
                    }

                    body.Write(chunk, 0, read);
                }

                body.Position = 0;
                return body;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static async Task DrainAsync(Stream body, byte[] chunk, CancellationToken cancellationToken)
    {
        try
        {
            while (await body.ReadAsync(chunk, cancellationToken) > 0)
            {
            }
        }
        catch (BadHttpRequestException)
        {
            // Beyond the drain limit: the server closes the connection after the 413.
        }
    }
}
