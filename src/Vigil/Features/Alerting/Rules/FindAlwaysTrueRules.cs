using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Alerting.Rules;

/// <summary>
/// <c>vigil rules check --against URL</c>: an alerting rule that was true at every step of the last
/// day of the server's data would fire all the time — usually a condition written the wrong way
/// round (seed 003's <c>revenue_change &gt; -20%</c>, true whenever revenue did not fall). For each
/// alerting rule the server's Prometheus API is asked for the rule's expression over the window
/// (<c>query_range</c>, 5-minute steps); for a comparison with a number (<c>X &gt; 0.05</c>) the steps
/// where it held are compared with the steps where <c>X</c> had data, for any other expression with
/// every step of the window. A rule with no data in the window is not judged.
/// </summary>
public static partial class FindAlwaysTrueRules
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(5);

    public sealed record Finding(string Rule, string Expr, int TrueSteps, int DataSteps);

    [GeneratedRegex(@"\s*(==|!=|>=|<=|>|<)(\s*bool)?\s*$")]
    private static partial Regex TrailingComparison();

    [GeneratedRegex(@"^\s*(==|!=|>=|<=|>|<)(\s*bool)?\s*")]
    private static partial Regex LeadingComparison();

    /// <summary>The decision: true at every step that had data, and there was data.</summary>
    public static bool IsAlwaysTrue(int trueSteps, int dataSteps) => dataSteps > 0 && trueSteps >= dataSteps;

    /// <summary>
    /// For <c>X OP number</c> or <c>number OP X</c> (a filtering comparison), the text of <c>X</c>;
    /// null for any other expression.
    /// </summary>
    public static string? DataSide(Rule rule)
    {
        var expr = rule.Expr;
        while (expr is ParenExpr paren)
        {
            expr = paren.Inner;
        }
        if (expr is not BinaryExpr { ReturnBool: false, Op: BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Gt or BinaryOp.Lt or BinaryOp.Ge or BinaryOp.Le } binary)
        {
            return null;
        }
        var text = rule.ExprText;
        if (binary.Rhs.Type == PromValueType.Scalar && binary.Lhs.Type == PromValueType.InstantVector && binary.Rhs.Position > binary.Lhs.Position)
        {
            return TrailingComparison().Replace(text[binary.Lhs.Position..binary.Rhs.Position], "");
        }
        if (binary.Lhs.Type == PromValueType.Scalar && binary.Rhs.Type == PromValueType.InstantVector && binary.Rhs.Position > binary.Lhs.Position)
        {
            var after = text[binary.Rhs.Position..];
            return LeadingComparison().Replace(after, "");
        }
        return null;
    }

    /// <summary>Asks the server (a client already holding the token) about each alerting rule; the findings are the always-true rules.</summary>
    /// <remarks>The window ends at the server's "now" (<c>time()</c>), not this machine's.</remarks>
    public static async Task<List<Finding>> CheckAsync(HttpClient server, IEnumerable<Rule> rules, CancellationToken cancellationToken)
    {
        var end = await ServerTimeAsync(server, cancellationToken);
        var start = end - (long)Window.TotalSeconds;
        var allSteps = (int)(Window / Step) + 1;
        var findings = new List<Finding>();
        foreach (var rule in rules.Where(r => r.Alert is not null))
        {
            var trueSteps = await StepsWithDataAsync(server, rule.ExprText, start, end, cancellationToken);
            var dataSide = DataSide(rule);
            var dataSteps = dataSide is null ? (trueSteps > 0 ? allSteps : 0) : await StepsWithDataAsync(server, dataSide, start, end, cancellationToken);
            if (IsAlwaysTrue(trueSteps, dataSteps))
            {
                findings.Add(new Finding(rule.Alert!, rule.ExprText, trueSteps, dataSteps));
            }
        }
        return findings;
    }

    private static async Task<long> ServerTimeAsync(HttpClient server, CancellationToken cancellationToken)
    {
        var body = await GetAsync(server, "prometheus/api/v1/query?query=time()", cancellationToken);
        return (long)double.Parse(body.GetProperty("data").GetProperty("result")[0].GetRawText(), CultureInfo.InvariantCulture);
    }

    private static async Task<JsonElement> GetAsync(HttpClient server, string url, CancellationToken cancellationToken)
    {
        using var response = await server.GetAsync(url, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var reason = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var e) ? e.GetString()
                : body.ValueKind == JsonValueKind.Object && body.TryGetProperty("detail", out var d) ? d.GetString() : null;
            throw new HttpRequestException($"{(int)response.StatusCode} from {server.BaseAddress}{url.Split('?')[0]}: {reason}");
        }
        return body;
    }

    /// <summary>How many steps of the range had at least one sample.</summary>
    private static async Task<int> StepsWithDataAsync(HttpClient server, string query, long start, long end, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"prometheus/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={start}&end={end}&step={(long)Step.TotalSeconds}");
        var body = await GetAsync(server, url, cancellationToken);
        var steps = new HashSet<double>();
        foreach (var series in body.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            foreach (var point in series.GetProperty("values").EnumerateArray())
            {
                steps.Add(point[0].GetDouble());
            }
        }
        return steps.Count;
    }
}
