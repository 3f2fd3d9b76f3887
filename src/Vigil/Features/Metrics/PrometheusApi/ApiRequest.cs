namespace Vigil.Features.Metrics.PrometheusApi;

/// <summary>
/// A request's parameters from the query string and, for POST, the form body, as Prometheus reads
/// them (Go's <c>r.FormValue</c>: the body first; Grafana sends queries as POST forms).
/// </summary>
public sealed class ApiRequest
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);

    private ApiRequest()
    {
    }

    public static async Task<ApiRequest> ReadAsync(HttpRequest request)
    {
        var result = new ApiRequest();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            foreach (var (key, value) in form)
            {
                result.Add(key, value);
            }
        }
        foreach (var (key, value) in request.Query)
        {
            result.Add(key, value);
        }
        return result;
    }

    private void Add(string key, Microsoft.Extensions.Primitives.StringValues value)
    {
        if (!values.TryGetValue(key, out var list))
        {
            values[key] = list = [];
        }
        list.AddRange(value.Where(v => v is not null)!);
    }

    public string? Get(string key) => values.TryGetValue(key, out var list) && list.Count > 0 ? list[0] : null;

    public IReadOnlyList<string> All(string key) => values.TryGetValue(key, out var list) ? list : [];

    public long TimeOr(string key, long fallbackMs) => Get(key) is { } text ? ApiParameters.ParseTime(key, text) : fallbackMs;
}
