using System.Globalization;
using Vigil.Configuration;
using Vigil.Features.Metrics;
using Vigil.Features.Metrics.PrometheusApi;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;
using Vigil.Web.Charts;

namespace Vigil.Features.Dashboards;

/// <summary>
/// What the dashboard page shows: the time range of its URL (<c>from=now-6h&amp;to=now</c>), each
/// variable's options and chosen value, and each panel's data, evaluated through <see cref="EvaluateQuery"/>
/// as <c>/graph</c> and the Prometheus API are (the same limits and errors).
/// </summary>
public sealed class ShowDashboard(EvaluateQuery evaluate, ISampleStore store, ConfigReloader config, TimeProvider clock)
{
    public sealed record TimeRange(long StartMs, long EndMs, long StepMs, string From, string To);

    public sealed record VariableChoice(VariableDefinition Variable, IReadOnlyList<string> Options, string Value);

    public sealed record StatValue(string Name, double Value);

    public sealed record TableRow(IReadOnlyDictionary<string, string> Labels, double Value);

    /// <param name="Title">The panel's title with the variables replaced, as Grafana shows it (<c>Requests on $instance</c>).</param>
    public sealed record PanelData(PanelDefinition Panel, string Title, IReadOnlyList<ChartSeries> Series, IReadOnlyList<StatValue> Values,
        IReadOnlyList<string> Columns, IReadOnlyList<TableRow> Rows, string? Error);

    /// <summary><c>now</c>, <c>now-6h</c> (any Prometheus duration) or Unix milliseconds; null when it is none of them.</summary>
    public static long? ParseTime(string? text, long nowMs)
    {
        if (text is null or "now")
        {
            return nowMs;
        }
        if (text.StartsWith("now-", StringComparison.Ordinal) && Duration.TryParse(text[4..], out var ago))
        {
            return nowMs - (long)ago.TotalMilliseconds;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null;
    }

    /// <summary>The range of the URL, or the last 6 hours with the reason when it is not one.</summary>
    public (TimeRange Range, string? Error) Range(string? from, string? to)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        from ??= "now-6h";
        to ??= "now";
        var (start, end) = (ParseTime(from, now), ParseTime(to, now));
        string? error = null;
        if (start is null || end is null || end <= start || end - start > 366L * 86_400_000)
        {
            error = $"\"{from}\" to \"{to}\" is not a time range (write now-6h to now); showing the last 6 hours";
            (from, to, start, end) = ("now-6h", "now", now - (6 * 3_600_000), now);
        }
        var rangeMs = end!.Value - start!.Value;
        // About 250 points across a chart, as /graph (and Prometheus's graph page) picks its step.
        var step = Math.Max(1000, rangeMs / 250 / 1000 * 1000);
        return (new TimeRange(end.Value - (rangeMs / step * step), end.Value, step, from, to), error);
    }

    /// <summary>Each variable with its options (label values found in the range for <c>query</c> ones) and the value chosen.</summary>
    public IReadOnlyList<VariableChoice> Variables(DashboardDefinition dashboard, TimeRange range, IReadOnlyDictionary<string, string?> chosen)
    {
        var result = new List<VariableChoice>();
        var values = Values(range, []);
        foreach (var v in dashboard.Variables ?? [])
        {
            IReadOnlyList<string> options = v.Kind switch
            {
                "custom" => v.Options ?? [],
                "constant" => [v.Value ?? ""],
                _ => LabelValues(v.Query, range, values),
            };
            var pick = chosen.GetValueOrDefault(v.Name!) is { } c && options.Contains(c) ? c
                : v.Value is { } d && options.Contains(d) ? d
                : options.FirstOrDefault() ?? "";
            values[v.Name!] = pick;
            result.Add(new(v, options, pick));
        }
        return result;
    }

    public async Task<IReadOnlyList<PanelData>> PanelsAsync(DashboardDefinition dashboard, TimeRange range, IReadOnlyList<VariableChoice> variables, CancellationToken cancellationToken)
    {
        var values = Values(range, variables);
        var result = new List<PanelData>();
        foreach (var panel in dashboard.Panels ?? [])
        {
            result.Add(await PanelAsync(panel, range, values, cancellationToken));
        }
        return result;
    }

    public async Task<PanelData> PanelAsync(PanelDefinition panel, TimeRange range, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        var title = DashboardVariables.Interpolate(panel.Title ?? "", values).Query;
        var series = new List<ChartSeries>();
        var stats = new List<StatValue>();
        var rows = new List<TableRow>();
        try
        {
            foreach (var target in panel.Targets ?? [])
            {
                var expr = EvaluateQuery.Parse(DashboardVariables.Interpolate(target.Expr ?? "", values).Query);
                if (panel.Kind == "timeseries")
                {
                    var matrix = await evaluate.RangeAsync(expr, range.StartMs, range.EndMs, range.StepMs, null, cancellationToken);
                    series.AddRange(matrix.Series.Select(s => new ChartSeries(Name(target, s.Labels), [.. s.Points.Select(p => new ChartPoint(p.TimestampMs, p.Value))])));
                    continue;
                }
                // Stat, gauge and table show the value at the end of the range (Grafana's "last" reduction, as an instant query).
                var value = await evaluate.InstantAsync(expr, range.EndMs, null, cancellationToken);
                IEnumerable<(Labels Labels, double Value)> samples = value switch
                {
                    ScalarValue s => [(Labels.Empty, s.Value)],
                    VectorValue v => v.Samples.Select(s => (s.Labels, s.Value)),
                    _ => throw new ApiError(PrometheusJson.ErrorType.BadData, "the query is not an instant vector or a scalar"),
                };
                foreach (var (labels, number) in samples)
                {
                    stats.Add(new(Name(target, labels), number));
                    rows.Add(new(labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal), number));
                }
            }
        }
        catch (BadParameterException e)
        {
            return new(panel, title, [], [], [], [], e.Reason);
        }
        catch (ApiError e)
        {
            return new(panel, title, [], [], [], [], e.Message);
        }
        var columns = rows.SelectMany(r => r.Labels.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new(panel, title, series, stats, columns, rows, null);
    }

    /// <summary>The built-ins for the range, and the chosen value of each variable.</summary>
    public Dictionary<string, string> Values(TimeRange range, IReadOnlyList<VariableChoice> variables)
    {
        var values = DashboardVariables.BuiltInValues(range.EndMs - range.StartMs, range.StepMs, config.Current.Config.Metrics.ScrapeInterval);
        foreach (var v in variables)
        {
            values[v.Variable.Name!] = v.Value;
        }
        return values;
    }

    private IReadOnlyList<string> LabelValues(string? query, TimeRange range, IReadOnlyDictionary<string, string> values)
    {
        if (DashboardVariables.ParseLabelValues(query) is not { } parsed)
        {
            return [];
        }
        IReadOnlyList<LabelMatcher> matchers = [];
        if (parsed.Selector is { } selector)
        {
            try
            {
                if (PromQLParser.Parse(DashboardVariables.Interpolate(selector, values).Query) is not VectorSelector vs)
                {
                    return [];
                }
                matchers = vs.Matchers;
            }
            catch (PromQLParseException)
            {
                return [];
            }
        }
        return store.LabelValues(parsed.Label, range.StartMs, range.EndMs, matchers);
    }

    private static string Name(TargetDefinition target, Labels labels) =>
        DashboardVariables.Legend(target.LegendFormat, labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal), labels.Count == 0 ? target.Expr ?? "" : labels.ToString());
}
