using Vigil.Configuration;

namespace Vigil.Features.Cost;

/// <summary>The <c>cost:</c> section of vigil.yaml: how billed cost is allocated to services, their budgets and the cost alerts.</summary>
public sealed class CostSettings
{
    public CostAllocationSettings Allocation { get; set; } = new();
    /// <summary>Explicit allocation, tried in order before the tag: the first mapping whose every match column equals the line's value wins.</summary>
    public List<CostMappingDefinition> Mappings { get; set; } = [];
    /// <summary>Monthly budgets (and thresholds) per service.</summary>
    public List<CostBudgetDefinition> Budgets { get; set; } = [];
    /// <summary>A monthly budget for the whole bill, all services and unallocated cost together.</summary>
    public double? TotalBudget { get; set; }
    public CostAlertSettings Alerts { get; set; } = new();
}

public sealed class CostAllocationSettings
{
    /// <summary>The tag (FOCUS <c>Tags</c> key) whose value names the Vigil service; default <c>service</c>.</summary>
    public string Tag { get; set; } = "service";
}

/// <summary><c>cost.mappings[]</c>: <c>{match: {ServiceName: "Amazon RDS"}, service: api}</c>.</summary>
public sealed class CostMappingDefinition
{
    /// <summary>FOCUS column → value; all must equal (ordinal) for the mapping to apply. Columns: <see cref="CostLine.MatchColumns"/>.</summary>
    public Dictionary<string, string> Match { get; set; } = [];
    [ConfigRequired]
    public string? Service { get; set; }
}

/// <summary><c>cost.budgets[]</c>: <c>{service: api, monthly: 100, threshold: 90}</c>.</summary>
public sealed class CostBudgetDefinition
{
    [ConfigRequired]
    public string? Service { get; set; }
    /// <summary>The month's budget; the forecast alert compares the month-end forecast with it.</summary>
    public double? Monthly { get; set; }
    /// <summary>A month-to-date spend above which <c>CostOverThreshold</c> fires (the seeds' per-service threshold).</summary>
    public double? Threshold { get; set; }
}

/// <summary><c>cost.alerts</c>: the thresholds of the forecast and day-over-day alerts (seed 002: 80 % of the budget, +50 % day over day).</summary>
public sealed class CostAlertSettings
{
    /// <summary><c>CostBudgetForecast</c> fires when the forecast month-end spend is above this percentage of the budget.</summary>
    public double ForecastPercent { get; set; } = 80;
    /// <summary><c>CostDayOverDay</c> fires when a day's cost is above this many times the day before.</summary>
    public double DayOverDay { get; set; } = 1.5;
    /// <summary>...and the day's cost is at least this amount, so a $0.10 → $0.20 day does not page.</summary>
    public double DayOverDayMinimum { get; set; } = 1;
}

/// <summary>The <c>cost:</c> rules: amounts not negative, mappings that match something, services that exist.</summary>
public static class CostConfigRules
{
    public static IEnumerable<FieldError> Validate(VigilConfig config)
    {
        var cost = config.Cost;
        var services = config.Services.Where(s => s.Name is not null).Select(s => s.Name!).ToHashSet(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(cost.Allocation.Tag))
        {
            yield return new("cost.allocation.tag", "a tag name is required (e.g. service)");
        }
        for (var i = 0; i < cost.Mappings.Count; i++)
        {
            var mapping = cost.Mappings[i];
            if (mapping.Match.Count == 0)
            {
                yield return new($"cost.mappings[{i}].match", $"at least one column to match is required, e.g. {{ServiceName: \"Amazon RDS\"}}; columns: {string.Join(", ", CostLine.MatchColumns)}");
            }
            foreach (var column in mapping.Match.Keys.Where(c => !CostLine.MatchColumns.Contains(c)))
            {
                yield return new($"cost.mappings[{i}].match.{column}", $"\"{column}\" is not a column a mapping can match: one of {string.Join(", ", CostLine.MatchColumns)}");
            }
            if (mapping.Service is { } service && !services.Contains(service))
            {
                yield return new($"cost.mappings[{i}].service", $"no service \"{service}\" in services:");
            }
        }
        var budgeted = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < cost.Budgets.Count; i++)
        {
            var budget = cost.Budgets[i];
            if (budget.Service is { } service && !services.Contains(service))
            {
                yield return new($"cost.budgets[{i}].service", $"no service \"{service}\" in services:");
            }
            else if (budget.Service is { } again && !budgeted.Add(again))
            {
                yield return new($"cost.budgets[{i}].service", $"\"{again}\" already has a budget");
            }
            if (budget.Monthly is null && budget.Threshold is null)
            {
                yield return new($"cost.budgets[{i}]", "a monthly budget, a threshold, or both are required");
            }
            if (budget.Monthly is <= 0)
            {
                yield return new($"cost.budgets[{i}].monthly", "must be above 0");
            }
            if (budget.Threshold is <= 0)
            {
                yield return new($"cost.budgets[{i}].threshold", "must be above 0");
            }
        }
        if (cost.TotalBudget is <= 0)
        {
            yield return new("cost.total_budget", "must be above 0");
        }
        if (cost.Alerts.ForecastPercent is <= 0 || !double.IsFinite(cost.Alerts.ForecastPercent))
        {
            yield return new("cost.alerts.forecast_percent", $"{cost.Alerts.ForecastPercent} is not a percentage above 0 (e.g. 80)");
        }
        if (cost.Alerts.DayOverDay is <= 1 || !double.IsFinite(cost.Alerts.DayOverDay))
        {
            yield return new("cost.alerts.day_over_day", $"{cost.Alerts.DayOverDay} is not a ratio above 1 (1.5 = a 50 % increase)");
        }
        if (cost.Alerts.DayOverDayMinimum < 0)
        {
            yield return new("cost.alerts.day_over_day_minimum", "must not be negative");
        }
    }
}
