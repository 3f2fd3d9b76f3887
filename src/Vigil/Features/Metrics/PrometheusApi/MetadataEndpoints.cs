using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;
using static Vigil.Features.Metrics.PrometheusApi.PrometheusJson;

namespace Vigil.Features.Metrics.PrometheusApi;

/// <summary><c>series</c>, <c>labels</c>, <c>label/&lt;name&gt;/values</c> and <c>status/buildinfo</c>, as Prometheus 2.42 answers them.</summary>
public static class MetadataEndpoints
{
    // Prometheus's open-ended defaults for start and end (minTime/maxTime), kept within ms range.
    private const long MinTime = long.MinValue / 4;
    private const long MaxTime = long.MaxValue / 4;

    public static Task Series(HttpContext context, ISampleStore store) => QueryEndpoints.RunAsync(context, async (request, _) =>
    {
        var (start, end) = Range(request);
        var selectors = Selectors(request);
        if (selectors.Count == 0)
        {
            throw new ApiError(ErrorType.BadData, "no match[] parameter provided");
        }
        var series = new HashSet<Labels>();
        foreach (var matchers in selectors)
        {
            foreach (var s in store.Select(start, end, matchers))
            {
                series.Add(s.Labels);
            }
        }
        await WriteSuccessAsync(context.Response, json =>
        {
            json.WriteStartArray();
            foreach (var labels in series.Order(Comparer<Labels>.Create(Labels.Compare)))
            {
                WriteLabels(json, labels);
            }
            json.WriteEndArray();
        });
    });

    public static Task LabelNames(HttpContext context, ISampleStore store) => QueryEndpoints.RunAsync(context, async (request, _) =>
    {
        var (start, end) = Range(request);
        var selectors = Selectors(request);
        var names = selectors.Count == 0
            ? store.LabelNames(start, end, [])
            : [.. selectors.SelectMany(m => store.LabelNames(start, end, m)).Distinct().Order(StringComparer.Ordinal)];
        await WriteSuccessAsync(context.Response, json => WriteStrings(json, names));
    });

    public static Task LabelValues(HttpContext context, string name, ISampleStore store) => QueryEndpoints.RunAsync(context, async (request, _) =>
    {
        if (name != Label.MetricName && !IsValidLabelName(name))
        {
            throw new ApiError(ErrorType.BadData, $"invalid label name: \"{name}\"");
        }
        var (start, end) = Range(request);
        var selectors = Selectors(request);
        var values = selectors.Count == 0
            ? store.LabelValues(name, start, end, [])
            : [.. selectors.SelectMany(m => store.LabelValues(name, start, end, m)).Distinct().Order(StringComparer.Ordinal)];
        await WriteSuccessAsync(context.Response, json => WriteStrings(json, values));
    });

    /// <summary>
    /// Build information. <c>version</c> is the Prometheus API level Vigil answers like (clients such
    /// as Grafana pick features by it); <c>application</c> and <c>vigilVersion</c> say what it really is.
    /// </summary>
    public static Task BuildInfo(HttpContext context) => WriteSuccessAsync(context.Response, json =>
    {
        json.WriteStartObject();
        json.WriteString("version", "2.42.0");
        json.WriteString("revision", "");
        json.WriteString("branch", "");
        json.WriteString("buildUser", "");
        json.WriteString("buildDate", "");
        json.WriteString("goVersion", "");
        json.WriteString("application", "vigil");
        json.WriteString("vigilVersion", Server.ProcessClock.Version);
        json.WriteEndObject();
    });

    /// <summary>
    /// <c>query_exemplars</c>: Vigil keeps no exemplars (remote write's are counted and dropped), so
    /// the answer is Prometheus's for a store without any: success with an empty list, after the same
    /// checks of <c>query</c>, <c>start</c> and <c>end</c> (web/api/v1/api.go <c>queryExemplars</c>).
    /// </summary>
    public static Task Exemplars(HttpContext context) => QueryEndpoints.RunAsync(context, async (request, _) =>
    {
        var (start, end) = Range(request);
        if (end < start)
        {
            throw new ApiError(ErrorType.BadData, "end timestamp must not be before start timestamp");
        }
        try
        {
            PromQLParser.Parse(request.Get("query") ?? "");
        }
        catch (PromQLParseException e)
        {
            throw new ApiError(ErrorType.BadData, e.Message);
        }
        await WriteSuccessAsync(context.Response, json =>
        {
            json.WriteStartArray();
            json.WriteEndArray();
        });
    });

    private static (long Start, long End) Range(ApiRequest request) =>
        (request.TimeOr("start", MinTime), request.TimeOr("end", MaxTime));

    /// <summary>Each <c>match[]</c> as a series selector (<c>up</c>, <c>{job="api"}</c>); anything else is refused.</summary>
    private static List<IReadOnlyList<LabelMatcher>> Selectors(ApiRequest request)
    {
        var result = new List<IReadOnlyList<LabelMatcher>>();
        foreach (var text in request.All("match[]"))
        {
            Expr expr;
            try
            {
                expr = PromQLParser.Parse(text);
            }
            catch (PromQLParseException e)
            {
                throw new BadParameterException("match[]", e.Message);
            }
            if (expr is not VectorSelector selector)
            {
                throw new BadParameterException("match[]", $"1:1: parse error: expected type instant vector in series selector, got {ApiParameters.Describe(expr.Type)}");
            }
            result.Add(selector.Matchers);
        }
        return result;
    }

    private static bool IsValidLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static void WriteStrings(System.Text.Json.Utf8JsonWriter json, IEnumerable<string> values)
    {
        json.WriteStartArray();
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }
        json.WriteEndArray();
    }
}
