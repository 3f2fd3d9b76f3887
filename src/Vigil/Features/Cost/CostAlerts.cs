using System.Globalization;

namespace Vigil.Features.Cost;

/// <summary>A cost alert that holds now: its name, the service (null for the whole bill) and what to tell people.</summary>
public sealed record CostFinding(string Alert, string? Service, string Summary);

/// <summary>
/// The cost alerts of seed 002 ("Budget Alert: >80% of monthly budget", "Anomaly Alert: >50% increase
/// day-over-day", "Per-feature Alert: individual services over threshold") as pure decisions over the
/// allocated charges, the settings and now.
/// </summary>
public static class CostAlerts
{
    public const string BudgetForecast = "CostBudgetForecast";
    public const string DayOverDay = "CostDayOverDay";
    public const string OverThreshold = "CostOverThreshold";

    public static List<CostFinding> Evaluate(IReadOnlyList<AllocatedCost> costs, CostSettings settings, DateTimeOffset now)
    {
        var findings = new List<CostFinding>();
        var month = CostSpend.MonthOf(now);
        var spent = CostSpend.Sum(costs, month, now).GroupBy(s => s.Key.Service).ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);
        var percent = settings.Alerts.ForecastPercent;

        CostFinding? Forecast(string? service, decimal spend, double? budget)
        {
            if (budget is not { } b || CostSpend.Forecast(spend, month, now) is not { } forecast || (double)forecast <= b * percent / 100)
            {
                return null;
            }
            var what = service ?? "the total bill";
            return new(BudgetForecast, service, $"{what}: forecast month-end spend {Money(forecast)} is {(double)forecast / b * 100:0.#} % of the {month:yyyy-MM} budget of {Money((decimal)b)} (above {percent:0.#} %); spent so far {Money(spend)}");
        }

        foreach (var budget in settings.Budgets.Where(b => b.Service is not null))
        {
            var spend = spent.GetValueOrDefault(budget.Service!);
            if (Forecast(budget.Service, spend, budget.Monthly) is { } finding)
            {
                findings.Add(finding);
            }
            if (budget.Threshold is { } threshold && (double)spend > threshold)
            {
                findings.Add(new(OverThreshold, budget.Service, $"{budget.Service}: {Money(spend)} spent in {month:yyyy-MM}, over its threshold of {Money((decimal)threshold)}"));
            }
        }
        if (Forecast(null, spent.Values.Sum(), settings.TotalBudget) is { } total)
        {
            findings.Add(total);
        }

        // Yesterday against the day before, per service and for the whole bill: the last complete UTC day.
        var yesterday = CostSpend.DayOf(now).AddDays(-1);
        var last = CostSpend.Sum(costs, yesterday, yesterday.AddDays(1)).GroupBy(s => s.Key.Service).ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);
        var before = CostSpend.Sum(costs, yesterday.AddDays(-1), yesterday).GroupBy(s => s.Key.Service).ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);
        foreach (var service in last.Keys.Where(s => s.Length > 0).Order(StringComparer.Ordinal))
        {
            if (Jump(last[service], before.GetValueOrDefault(service), settings.Alerts) is { } ratio)
            {
                findings.Add(new(DayOverDay, service, $"{service}: {Money(last[service])} on {yesterday:yyyy-MM-dd}, {ratio:0.##}x the {Money(before[service])} of the day before"));
            }
        }
        if (Jump(last.Values.Sum(), before.Values.Sum(), settings.Alerts) is { } totalRatio)
        {
            findings.Add(new(DayOverDay, null, $"the total bill: {Money(last.Values.Sum())} on {yesterday:yyyy-MM-dd}, {totalRatio:0.##}x the {Money(before.Values.Sum())} of the day before"));
        }
        return findings;
    }

    /// <summary>
    /// The day's increase over the day before when it is above the configured ratio and the day cost at least
    /// the minimum; a day after one without cost (a new service) is no jump.
    /// </summary>
    public static double? Jump(decimal day, decimal dayBefore, CostAlertSettings alerts)
    {
        if (dayBefore <= 0 || (double)day < alerts.DayOverDayMinimum)
        {
            return null;
        }
        var ratio = (double)(day / dayBefore);
        return ratio > alerts.DayOverDay ? ratio : null;
    }

    public static string Money(decimal amount) => "$" + Math.Round(amount, 2).ToString("0.00", CultureInfo.InvariantCulture);
}
