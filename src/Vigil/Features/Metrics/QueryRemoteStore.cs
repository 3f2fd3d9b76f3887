using System.Globalization;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Scrape;

namespace Vigil.Features.Metrics;

/// <summary>
/// <c>metrics.query_url</c>: PromQL goes to an external Prometheus-compatible query API
/// (<c>GET {query_url}/api/v1/query</c> and <c>/api/v1/query_range</c>, the JSON of
/// https://prometheus.io/docs/prometheus/2.42/querying/api/) instead of the embedded engine, so
/// rule evaluation, SLOs, the <c>/prometheus</c> API and the console's <c>/graph</c> all read the
/// one store that every replica writes to. An error answer, a failed request or an answer that
/// does not parse becomes a <see cref="PromQLEvaluationException"/>: an <c>execution</c> error on
/// the API and a failed evaluation (the rule's health) for a rule. Requests go through the
/// outbound policy.
/// </summary>
public sealed class QueryRemoteStore(HttpClient http, Uri baseUrl, IReadOnlyDictionary<string, string> headers, ScrapeCredentials? credentials, TimeSpan timeout) : IRemoteQueryApi
{
    public QueryValue Instant(string query, long timeMs, CancellationToken cancellationToken)
    {
        var data = Get($"api/v1/query?query={Uri.EscapeDataString(query)}&time={Seconds(timeMs)}", cancellationToken);
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => new VectorValue([.. result.EnumerateArray().Select(e => { var (t, v) = Point(e.GetProperty("value")); return new VectorSample(LabelsOf(e), t, v); })]),
            "scalar" => Scalar(result),
            "string" => new StringValue((long)Math.Round(result[0].GetDouble() * 1000), result[1].GetString() ?? ""),
            "matrix" => Matrix(result),
            var other => throw new PromQLEvaluationException($"remote query API ({baseUrl}): unknown resultType \"{other}\""),
        };
    }

    public MatrixValue Range(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
    {
        var data = Get($"api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Seconds(startMs)}&end={Seconds(endMs)}&step={Seconds(stepMs)}", cancellationToken);
        return Matrix(data.GetProperty("result"));
    }

    private JsonElement Get(string pathAndQuery, CancellationToken cancellationToken)
    {
        var url = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + pathAndQuery);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            if (credentials is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", credentials.HeaderValue());
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            // Synchronous: the engine's callers evaluate synchronously off the request thread.
            using var response = http.Send(request, limit.Token);
            using var body = response.Content.ReadAsStream(limit.Token);
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.TryGetProperty("status", out var status) && status.GetString() == "success" && root.TryGetProperty("data", out var data))
            {
                return data.Clone();
            }
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : $"HTTP {(int)response.StatusCode}";
            throw new PromQLEvaluationException($"remote query API ({baseUrl}): {error}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            throw new PromQLEvaluationException($"remote query API ({baseUrl}) unreachable: {e.Message}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new PromQLEvaluationException($"remote query API ({baseUrl}) answered something that is not the Prometheus API's JSON: {e.Message}");
        }
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private static ScalarValue Scalar(JsonElement pair)
    {
        var (t, v) = Point(pair);
        return new ScalarValue(t, v);
    }

    private static MatrixValue Matrix(JsonElement result) =>
        new([.. result.EnumerateArray().Select(e => new RangeSeries(LabelsOf(e), [.. e.GetProperty("values").EnumerateArray().Select(p => { var (t, v) = Point(p); return new Sample(t, v); })]))]);

    private static (long T, double V) Point(JsonElement pair) =>
        ((long)Math.Round(pair[0].GetDouble() * 1000), ParseValue(pair[1].GetString()!));

    /// <summary>Prometheus writes sample values as strings: numbers, <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>.</summary>
    private static double ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static Labels LabelsOf(JsonElement series) =>
        Labels.From([.. series.GetProperty("metric").EnumerateObject().Select(p => new Label(p.Name, p.Value.GetString() ?? ""))]);
}
