using Microsoft.Extensions.Primitives;

namespace Vigil.Features.Metrics.Pages;

/// <summary>
/// The URL of the console's <c>/graph</c>: which queries a link asks for, and links to it. Its own
/// form sends each query as <c>q</c> (repeated, in order); links written for Prometheus's graph page
/// (<c>g0.expr</c>, <c>g1.expr</c>, ..., as alert generator URLs carry) are read too.
/// </summary>
public static class GraphPage
{
    /// <summary>At most this many queries on one chart.</summary>
    public const int MaxQueries = 10;

    /// <summary>The queries of a /graph URL, in order: an empty one when there are none, one more when "Add query" was pressed.</summary>
    public static List<string> QueriesOf(IDictionary<string, StringValues> url)
    {
        var queries = url.TryGetValue("q", out var q) ? q.Select(v => v ?? "").ToList() : [];
        for (var i = 0; i < MaxQueries && url.TryGetValue($"g{i}.expr", out var expr); i++)
        {
            queries.Add(expr.ToString());
        }
        if (queries.Count == 0 || (url.ContainsKey("add") && queries.Count < MaxQueries))
        {
            queries.Add("");
        }
        return [.. queries.Take(MaxQueries)];
    }

    /// <summary>A link to /graph showing these queries over this range (1h when null), ending at <paramref name="end"/> (now when null).</summary>
    public static string Link(IReadOnlyList<string> queries, string? range = null, string? end = null, string? mode = null)
    {
        var parts = queries.Select(q => "q=" + Uri.EscapeDataString(q)).ToList();
        if (range is not null)
        {
            parts.Add("range=" + Uri.EscapeDataString(range));
        }
        if (end is { Length: > 0 })
        {
            parts.Add("end=" + Uri.EscapeDataString(end));
        }
        if (mode is not null)
        {
            parts.Add("mode=" + Uri.EscapeDataString(mode));
        }
        return "graph?" + string.Join('&', parts);
    }

    /// <summary>A, B, ... as the chart's legend and the query rows name them.</summary>
    public static string Letter(int index) => ((char)('A' + index)).ToString();
}
