using System.Globalization;
using Vigil.Metrics.Exposition;
using static Vigil.Features.Metrics.PrometheusApi.PrometheusJson;

namespace Vigil.Features.Metrics.PrometheusApi;

/// <summary>
/// <c>GET /prometheus/api/v1/metadata</c>: the metric families the scrape targets declared
/// (<c># TYPE</c>, <c># HELP</c>, <c># UNIT</c> of their last successful scrape), as Prometheus 2.42
/// answers it (web/api/v1/api.go <c>metricMetadata</c>): an object from family name to the distinct
/// <c>{type, help, unit}</c> seen across targets; <c>metric</c> keeps one family, <c>limit</c> caps
/// the number of families (a negative limit means none). Families are listed by name, where
/// Prometheus's map order is random. Metadata received by remote write is listed with the targets'.
/// </summary>
public static class ListMetricMetadata
{
    public static Task Handle(HttpContext context, ApplyScrapeTargets scrapes, RemoteWriteMetadata remoteWrite) => QueryEndpoints.RunAsync(context, async (request, _) =>
    {
        var limit = -1;
        if (request.Get("limit") is { Length: > 0 } text && !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
        {
            throw new ApiError(ErrorType.BadData, "limit must be a number");
        }
        var families = Collect(scrapes.Loops.SelectMany(l => l.Metadata).Concat(remoteWrite.All), request.Get("metric") ?? "");
        await WriteSuccessAsync(context.Response, json =>
        {
            json.WriteStartObject();
            foreach (var (name, entries) in limit >= 0 ? families.Take(limit) : families)
            {
                json.WriteStartArray(name);
                foreach (var m in entries)
                {
                    json.WriteStartObject();
                    json.WriteString("type", TypeName(m.Type));
                    json.WriteString("help", m.Help);
                    json.WriteString("unit", m.Unit);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    });

    /// <summary>Distinct metadata per family across all targets, ordered by family name; only <paramref name="metric"/> when given.</summary>
    public static SortedDictionary<string, List<MetricMetadata>> Collect(IEnumerable<MetricMetadata> metadata, string metric)
    {
        var families = new SortedDictionary<string, List<MetricMetadata>>(StringComparer.Ordinal);
        foreach (var m in metadata)
        {
            if (metric.Length > 0 && m.MetricFamilyName != metric)
            {
                continue;
            }
            if (!families.TryGetValue(m.MetricFamilyName, out var entries))
            {
                families[m.MetricFamilyName] = entries = [];
            }
            if (!entries.Contains(m))
            {
                entries.Add(m);
            }
        }
        return families;
    }

    /// <summary>Prometheus's <c>textparse.MetricType</c> strings.</summary>
    private static string TypeName(MetricType type) => type switch
    {
        MetricType.Counter => "counter",
        MetricType.Gauge => "gauge",
        MetricType.Histogram => "histogram",
        MetricType.GaugeHistogram => "gaugehistogram",
        MetricType.Summary => "summary",
        MetricType.Info => "info",
        MetricType.StateSet => "stateset",
        _ => "unknown",
    };
}
