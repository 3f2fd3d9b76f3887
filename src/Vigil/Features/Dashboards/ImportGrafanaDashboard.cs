using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Dashboards;

/// <summary>
/// <c>POST /api/dashboards/import/grafana</c>: a Grafana dashboard JSON (schemaVersion 30 or later,
/// as Grafana 8+ exports it, bare or wrapped in <c>{"dashboard": ...}</c>) made into a Vigil dashboard.
/// Panels of type <c>timeseries</c>/<c>graph</c>, <c>stat</c>/<c>singlestat</c>, <c>gauge</c> and
/// <c>table</c> with Prometheus targets are kept (rows' nested panels flattened); variables of type
/// <c>query</c> (<c>label_values</c>), <c>custom</c> and <c>constant</c>. Everything else is listed in
/// <c>skipped</c> with the reason, and the rest imported.
/// </summary>
public static class ImportGrafanaDashboard
{
    public sealed record Skipped(string? Panel, string? Variable, string Reason);

    public sealed record ImportResult(ManageDashboards.DashboardView Dashboard, IReadOnlyList<Skipped> Skipped);

    public sealed record Conversion(DashboardDefinition? Dashboard, IReadOnlyList<Skipped> Skipped, IReadOnlyList<FieldError> Errors);

    public static async Task<Results<Created<ImportResult>, ValidationProblem>> Handle(
        JsonElement? body, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is not { ValueKind: JsonValueKind.Object } json)
        {
            return Problems.Field("body", "a Grafana dashboard JSON object is required");
        }
        var (row, result, errors) = await ImportAsync(json, db, audit, clock, cancellationToken);
        return row is null ? Problems.Validation(errors) : TypedResults.Created($"/api/dashboards/{row.Id}", result!);
    }

    /// <summary>The import path of the API and the console's import form.</summary>
    public static async Task<(StoredDashboard? Row, ImportResult? Result, IReadOnlyList<FieldError> Errors)> ImportAsync(
        JsonElement json, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var conversion = Convert(json);
        if (conversion.Dashboard is null)
        {
            return (null, null, conversion.Errors);
        }
        var metadata = new { title = conversion.Dashboard.Title, source = "grafana", skipped = conversion.Skipped.Count };
        var (row, errors) = await ManageDashboards.CreateAsync(conversion.Dashboard, metadata, db, audit, clock, cancellationToken);
        return row is null ? (null, null, errors) : (row, new ImportResult(ManageDashboards.View(row), conversion.Skipped), []);
    }

    /// <summary>The translation alone, without I/O.</summary>
    public static Conversion Convert(JsonElement root)
    {
        if (root.TryGetProperty("dashboard", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object)
        {
            root = wrapped;
        }
        if (!root.TryGetProperty("schemaVersion", out var schema) || schema.ValueKind != JsonValueKind.Number)
        {
            return Fail("schemaVersion", "is required (a Grafana dashboard JSON has it at the top level)");
        }
        if (schema.GetInt32() < 30)
        {
            return Fail("schemaVersion", $"{schema.GetInt32()} is older than 30 (Grafana 8); open and save the dashboard in a newer Grafana first");
        }
        var inputs = PluginsOfInputs(root);
        var skipped = new List<Skipped>();
        var variables = new List<VariableDefinition>();
        if (root.TryGetProperty("templating", out var templating) && templating.TryGetProperty("list", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var v in list.EnumerateArray())
            {
                if (Variable(v, inputs) is { } reason)
                {
                    skipped.Add(new(null, Text(v, "name") ?? "?", reason));
                }
                else
                {
                    variables.Add(ToVariable(v));
                }
            }
        }
        var values = DashboardVariables.Placeholders(variables);
        var panels = new List<PanelDefinition>();
        foreach (var p in Flatten(root))
        {
            var name = Text(p, "title") is { Length: > 0 } t ? t : $"panel {(p.TryGetProperty("id", out var id) ? id.ToString() : "?")}";
            var (panel, reasons) = ToPanel(p, inputs, values);
            skipped.AddRange(reasons.Select(r => new Skipped(name, null, r)));
            if (panel is not null)
            {
                panels.Add(panel);
            }
        }
        var dashboard = new DashboardDefinition
        {
            Title = Text(root, "title") is { Length: > 0 } title ? title : "Imported dashboard",
            Description = Text(root, "description") is { Length: > 0 } description ? description : null,
            Panels = [.. panels.OrderBy(p => p.GridPos!.Y).ThenBy(p => p.GridPos!.X)],
            Variables = variables,
        };
        return new(dashboard, skipped, []);
    }

    private static Conversion Fail(string path, string reason) => new(null, [], [new(path, reason)]);

    /// <summary>Top-level panels, and the panels of collapsed rows (which Grafana nests inside the row).</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement root)
    {
        if (!root.TryGetProperty("panels", out var panels) || panels.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        foreach (var p in panels.EnumerateArray())
        {
            if (Text(p, "type") == "row")
            {
                if (p.TryGetProperty("panels", out var nested) && nested.ValueKind == JsonValueKind.Array)
                {
                    foreach (var n in nested.EnumerateArray())
                    {
                        yield return n;
                    }
                }
                continue;
            }
            yield return p;
        }
    }

    private static (PanelDefinition? Panel, List<string> Skipped) ToPanel(JsonElement p, IReadOnlyDictionary<string, string> inputs, IReadOnlyDictionary<string, string> values)
    {
        var type = Text(p, "type") ?? "";
        var kind = type switch
        {
            "timeseries" or "graph" => "timeseries",
            "stat" or "singlestat" => "stat",
            "gauge" => "gauge",
            "table" => "table",
            _ => null,
        };
        if (kind is null)
        {
            return (null, [$"panel type \"{type}\" is not supported (timeseries, graph, stat, singlestat, gauge, table are)"]);
        }
        var reasons = new List<string>();
        var panelSource = p.TryGetProperty("datasource", out var ds) ? DataSourceType(ds, inputs) : null;
        var targets = new List<TargetDefinition>();
        if (p.TryGetProperty("targets", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in list.EnumerateArray())
            {
                var refId = Text(t, "refId") ?? "?";
                if (t.TryGetProperty("hide", out var hide) && hide.ValueKind == JsonValueKind.True)
                {
                    continue;
                }
                var source = t.TryGetProperty("datasource", out var tds) ? DataSourceType(tds, inputs) ?? panelSource : panelSource;
                if (source is not null && source != "prometheus")
                {
                    reasons.Add($"target {refId}: data source \"{source}\" is not Prometheus");
                    continue;
                }
                if (Text(t, "expr") is not { Length: > 0 } expr)
                {
                    reasons.Add($"target {refId}: has no PromQL expr");
                    continue;
                }
                if (DashboardRules.CheckQuery(expr, values) is { } error)
                {
                    reasons.Add($"target {refId}: {error}");
                    continue;
                }
                targets.Add(new TargetDefinition { Expr = expr, LegendFormat = Text(t, "legendFormat") is { Length: > 0 } l && l != "__auto" ? l : null });
            }
        }
        if (targets.Count == 0)
        {
            reasons.Add("no Prometheus target to import");
            return (null, reasons);
        }
        var panel = new PanelDefinition { Title = Text(p, "title") ?? "", Kind = kind, Targets = targets, GridPos = Grid(p) };
        if (p.TryGetProperty("fieldConfig", out var fc) && fc.TryGetProperty("defaults", out var defaults))
        {
            panel.Unit = Text(defaults, "unit") is { Length: > 0 } unit && unit != "none" && unit != "short" ? unit : null;
            panel.Min = Number(defaults, "min");
            panel.Max = Number(defaults, "max");
            if (defaults.TryGetProperty("thresholds", out var th) && th.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array)
            {
                panel.Thresholds = [.. steps.EnumerateArray().Select(s => new ThresholdStep { Value = Number(s, "value"), Color = Text(s, "color") })];
            }
        }
        // singlestat (before Grafana 7): "thresholds": "50,80" with three "colors" (below, between, above).
        if (type == "singlestat" && Text(p, "thresholds") is { Length: > 0 } legacy && p.TryGetProperty("colors", out var colors) && colors.ValueKind == JsonValueKind.Array)
        {
            var bounds = legacy.Split(',', StringSplitOptions.TrimEntries).Select(b => double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null).ToList();
            var palette = colors.EnumerateArray().Select(c => c.GetString()).ToList();
            panel.Thresholds = [.. palette.Select((c, i) => new ThresholdStep { Value = i == 0 ? null : bounds.ElementAtOrDefault(i - 1), Color = c })];
        }
        if (panel.Thresholds is { } thresholds)
        {
            // Grafana's rgba(…) colours are dropped; names (green, semi-dark-red) and hex colours kept.
            panel.Thresholds = [.. thresholds.Where(s => DashboardRules.IsColour(s.Color))];
        }
        if (panel.Min is { } min && panel.Max is { } max && max <= min)
        {
            (panel.Min, panel.Max) = (null, null);
        }
        return (panel, reasons);
    }

    private static GridPosition Grid(JsonElement p)
    {
        if (!p.TryGetProperty("gridPos", out var g) || g.ValueKind != JsonValueKind.Object)
        {
            return new GridPosition();
        }
        var w = Math.Clamp((int)(Number(g, "w") ?? 12), 1, 24);
        return new GridPosition
        {
            W = w,
            X = Math.Clamp((int)(Number(g, "x") ?? 0), 0, 24 - w),
            Y = Math.Clamp((int)(Number(g, "y") ?? 0), 0, 10_000),
            H = Math.Clamp((int)(Number(g, "h") ?? 8), 1, 100),
        };
    }

    /// <summary>Null when a variable can be imported, else why not.</summary>
    private static string? Variable(JsonElement v, IReadOnlyDictionary<string, string> inputs)
    {
        var type = Text(v, "type");
        switch (type)
        {
            case "query":
                if (v.TryGetProperty("datasource", out var ds) && DataSourceType(ds, inputs) is { } source && source != "prometheus")
                {
                    return $"data source \"{source}\" is not Prometheus";
                }
                return DashboardVariables.ParseLabelValues(Query(v)) is null
                    ? $"query \"{Query(v)}\" is not label_values(metric, label) or label_values(label)"
                    : null;
            case "custom" or "constant":
                return Query(v) is null ? "has no query" : null;
            default:
                return $"variable type \"{type}\" is not supported (query, custom, constant are)";
        }
    }

    private static VariableDefinition ToVariable(JsonElement v)
    {
        var type = Text(v, "type")!;
        var query = Query(v)!;
        var current = v.TryGetProperty("current", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
        return type switch
        {
            "custom" => new VariableDefinition
            {
                Name = Text(v, "name"),
                Label = Text(v, "label"),
                Kind = "custom",
                // Grafana's custom values: comma-separated, "text : value" pairs keep the value.
                Options = [.. query.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(o => o.Contains(" : ", StringComparison.Ordinal) ? o[(o.IndexOf(" : ", StringComparison.Ordinal) + 3)..].Trim() : o)],
                Value = current is "$__all" ? null : current,
            },
            "constant" => new VariableDefinition { Name = Text(v, "name"), Label = Text(v, "label"), Kind = "constant", Value = query },
            _ => new VariableDefinition { Name = Text(v, "name"), Label = Text(v, "label"), Kind = "query", Query = query.Trim(), Value = current is "$__all" ? null : current },
        };
    }

    /// <summary>A variable's query: a string, or (Grafana 9+) an object with a <c>query</c>.</summary>
    private static string? Query(JsonElement v) =>
        !v.TryGetProperty("query", out var q) ? null
        : q.ValueKind == JsonValueKind.String ? q.GetString()
        : q.ValueKind == JsonValueKind.Object ? Text(q, "query")
        : null;

    /// <summary>The plugin behind each <c>${DS_…}</c> input of an exported dashboard.</summary>
    private static Dictionary<string, string> PluginsOfInputs(JsonElement root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("__inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Array)
        {
            foreach (var i in inputs.EnumerateArray())
            {
                if (Text(i, "name") is { } name && Text(i, "pluginId") is { } plugin)
                {
                    result[$"${{{name}}}"] = plugin;
                }
            }
        }
        return result;
    }

    /// <summary>
    /// The data source's plugin type when it can be told: <c>{"type": "prometheus"}</c>, an input
    /// <c>${DS_X}</c> of a known plugin, or Grafana's built-in ones; null (taken as the default, Prometheus) otherwise.
    /// </summary>
    private static string? DataSourceType(JsonElement ds, IReadOnlyDictionary<string, string> inputs) => ds.ValueKind switch
    {
        JsonValueKind.Object when Text(ds, "type") is { } type && type != "datasource" => type,
        JsonValueKind.Object when Text(ds, "uid") is { } uid => uid is "grafana" or "-- Grafana --" ? "grafana" : uid is "-- Mixed --" ? null : inputs.GetValueOrDefault(uid),
        JsonValueKind.String => ds.GetString() switch
        {
            "-- Grafana --" or "grafana" => "grafana",
            "-- Dashboard --" => "dashboard",
            { } name => inputs.GetValueOrDefault(name),
            _ => null,
        },
        _ => null,
    };

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
