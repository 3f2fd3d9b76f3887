using System.Text.RegularExpressions;
using Vigil.Configuration;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Dashboards;

/// <summary>What makes a dashboard valid, for the API, the console's forms and Grafana import alike.</summary>
public static partial class DashboardRules
{
    public static IReadOnlyList<string> Kinds { get; } = ["timeseries", "stat", "gauge", "table"];
    public static IReadOnlyList<string> VariableKinds { get; } = ["query", "custom", "constant"];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex VariableName();

    /// <summary>A CSS colour name (Grafana's <c>semi-dark-red</c> too) or a hex colour.</summary>
    [GeneratedRegex("^(#[0-9a-fA-F]{3,8}|[a-z][a-z-]{0,30})$")]
    private static partial Regex Colour();

    public static bool IsColour(string? text) => text is not null && Colour().IsMatch(text);

    public static IEnumerable<FieldError> Validate(DashboardDefinition d)
    {
        if (string.IsNullOrWhiteSpace(d.Title))
        {
            yield return new("title", "is required");
        }
        else if (d.Title.Length > 200)
        {
            yield return new("title", "is longer than 200 characters");
        }
        if (d.Description is { Length: > 2000 })
        {
            yield return new("description", "is longer than 2000 characters");
        }
        var variables = d.Variables ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < variables.Count; i++)
        {
            foreach (var error in ValidateVariable(variables[i], $"variables[{i}].", names))
            {
                yield return error;
            }
        }
        var values = DashboardVariables.Placeholders(variables);
        var panels = d.Panels ?? [];
        for (var i = 0; i < panels.Count; i++)
        {
            foreach (var error in ValidatePanel(panels[i], $"panels[{i}].", values))
            {
                yield return error;
            }
        }
    }

    public static IEnumerable<FieldError> ValidatePanel(PanelDefinition? p, string at, IReadOnlyDictionary<string, string> values)
    {
        if (p is null)
        {
            yield return new(at.TrimEnd('.'), "is required");
            yield break;
        }
        if (p.Title is { Length: > 200 })
        {
            yield return new($"{at}title", "is longer than 200 characters");
        }
        if (p.Kind is null || !Kinds.Contains(p.Kind))
        {
            yield return new($"{at}kind", $"must be one of {string.Join(", ", Kinds)}");
        }
        var targets = p.Targets ?? [];
        if (targets.Count == 0)
        {
            yield return new($"{at}targets", "needs at least one PromQL query");
        }
        for (var j = 0; j < targets.Count; j++)
        {
            if (CheckQuery(targets[j]?.Expr, values) is { } reason)
            {
                yield return new($"{at}targets[{j}].expr", reason);
            }
        }
        if (p.GridPos is { } g)
        {
            if (g.W is < 1 or > 24)
            {
                yield return new($"{at}grid_pos.w", "must be between 1 and 24 columns");
            }
            else if (g.X < 0 || g.X + g.W > 24)
            {
                yield return new($"{at}grid_pos.x", "must keep the panel inside the 24 columns (0 <= x, x + w <= 24)");
            }
            if (g.Y is < 0 or > 10_000)
            {
                yield return new($"{at}grid_pos.y", "must be between 0 and 10000");
            }
            if (g.H is < 1 or > 100)
            {
                yield return new($"{at}grid_pos.h", "must be between 1 and 100 rows");
            }
        }
        var steps = p.Thresholds ?? [];
        for (var k = 0; k < steps.Count; k++)
        {
            if (!IsColour(steps[k]?.Color))
            {
                yield return new($"{at}thresholds[{k}].color", "must be a colour name or #rrggbb");
            }
            if (steps[k]?.Value is { } v && !double.IsFinite(v))
            {
                yield return new($"{at}thresholds[{k}].value", "must be a finite number");
            }
        }
        if (p.Min is { } min && p.Max is { } max && max <= min)
        {
            yield return new($"{at}max", "must be greater than min");
        }
    }

    /// <summary>Null when the query parses once its variables are replaced; else the reason (the parser's, with its position).</summary>
    public static string? CheckQuery(string? expr, IReadOnlyDictionary<string, string> values)
    {
        if (string.IsNullOrWhiteSpace(expr))
        {
            return "is required";
        }
        var (query, unknown) = DashboardVariables.Interpolate(expr, values);
        if (unknown.Count > 0)
        {
            return $"uses ${unknown[0]}, which is not a variable of this dashboard";
        }
        try
        {
            PromQLParser.Parse(query);
            return null;
        }
        catch (PromQLParseException e)
        {
            return e.Message;
        }
    }

    private static IEnumerable<FieldError> ValidateVariable(VariableDefinition? v, string at, HashSet<string> names)
    {
        if (v is null)
        {
            yield return new(at.TrimEnd('.'), "is required");
            yield break;
        }
        if (v.Name is null || !VariableName().IsMatch(v.Name) || v.Name.StartsWith("__", StringComparison.Ordinal))
        {
            yield return new($"{at}name", "must be a name of letters, digits and _ not starting with __");
        }
        else if (!names.Add(v.Name))
        {
            yield return new($"{at}name", $"\"{v.Name}\" is declared twice");
        }
        switch (v.Kind)
        {
            case "query" when DashboardVariables.ParseLabelValues(v.Query) is null:
                yield return new($"{at}query", "must be label_values(metric, label) or label_values(label)");
                break;
            case "custom" when v.Options is not { Count: > 0 }:
                yield return new($"{at}options", "needs at least one option");
                break;
            case "constant" when v.Value is null:
                yield return new($"{at}value", "is required for a constant");
                break;
            case "query" or "custom" or "constant":
                break;
            default:
                yield return new($"{at}kind", $"must be one of {string.Join(", ", VariableKinds)}");
                break;
        }
    }
}
