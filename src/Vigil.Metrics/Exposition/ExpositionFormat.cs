namespace Vigil.Metrics.Exposition;

/// <summary>The text formats a scrape target may answer with.</summary>
public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4 (<c>text/plain; version=0.0.4</c>).</summary>
    PrometheusText,
    /// <summary>OpenMetrics 1.0 text (<c>application/openmetrics-text</c>), which must end with <c># EOF</c>.</summary>
    OpenMetrics,
}

/// <summary>Chooses the parser for a response's <c>Content-Type</c>.</summary>
public static class ExpositionFormats
{
    /// <summary>
    /// The <c>Accept</c> header Prometheus 2.42 sends when scraping: OpenMetrics first, then the
    /// 0.0.4 text format, then anything.
    /// </summary>
    public const string AcceptHeader =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /// <summary>
    /// OpenMetrics when the media type is <c>application/openmetrics-text</c>, otherwise the
    /// Prometheus text format, as Prometheus decides (a missing or unknown type falls back to text).
    /// </summary>
    public static ExpositionFormat FromContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return ExpositionFormat.PrometheusText;
        }
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
            ? ExpositionFormat.OpenMetrics
            : ExpositionFormat.PrometheusText;
    }
}
