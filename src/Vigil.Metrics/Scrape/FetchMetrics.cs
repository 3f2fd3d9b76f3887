using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using Vigil.Metrics.Exposition;

namespace Vigil.Metrics.Scrape;

/// <summary>A scrape that failed for a reason worth reporting (status, size, timeout).</summary>
internal sealed class ScrapeFailedException(string message) : Exception(message);

/// <summary>Fetches a target's exposition over HTTP the way Prometheus 2.42 asks for it.</summary>
internal static class FetchMetrics
{
    public const string UserAgent = "Vigil-Scraper/0.1";

    /// <summary>Reads the (gunzipped) body into <paramref name="body"/> and returns the response's content type.</summary>
    public static async Task<string?> FetchAsync(HttpClient http, ScrapeTarget target, MemoryStream body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target.Url);
        request.Headers.TryAddWithoutValidation("Accept", ExpositionFormats.AcceptHeader);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation(
            "X-Prometheus-Scrape-Timeout-Seconds",
            target.Config.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        if (target.Config.Credentials is { } credentials)
        {
            request.Headers.TryAddWithoutValidation("Authorization", credentials.HeaderValue());
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            throw new ScrapeFailedException($"server returned HTTP status {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var gzip = response.Content.Headers.ContentEncoding.Contains("gzip", StringComparer.OrdinalIgnoreCase);
            var source = gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
            body.SetLength(0);
            await CopyLimitedAsync(source, body, target.Config.BodySizeLimitBytes, ct).ConfigureAwait(false);
        }
        return response.Content.Headers.ContentType?.ToString();
    }

    private static async Task CopyLimitedAsync(Stream source, MemoryStream destination, long limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (destination.Length + n > limit)
                {
                    throw new ScrapeFailedException($"body size limit of {limit} bytes exceeded");
                }
                destination.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
