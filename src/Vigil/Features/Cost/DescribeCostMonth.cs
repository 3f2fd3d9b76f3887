using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;

namespace Vigil.Features.Cost;

/// <summary>
/// <c>GET /api/cost/report?month=2026-11</c>: the monthly cost report: spend per service (with its budget,
/// forecast month-end spend and share of the budget), per provider, unallocated cost, and the totals of the
/// twelve months up to it. Spend of the current month is what is imported up to now.
/// </summary>
public static class DescribeCostMonth
{
    public sealed record ServiceMonth(string? Service, decimal Spend, double? Budget, double? Threshold, decimal? Forecast, double? PercentOfBudget, double? ForecastPercentOfBudget);

    public sealed record ProviderMonth(string? Provider, decimal Spend);

    public sealed record MonthTotal(string Month, decimal Spend, IReadOnlyDictionary<string, decimal> Services);

    public sealed record MonthReport(
        string Month, string Currency, bool Complete, double DaysElapsed, int DaysInMonth, ServiceMonth Total,
        IReadOnlyList<ServiceMonth> Services, decimal Unallocated, IReadOnlyList<ProviderMonth> Providers, IReadOnlyList<MonthTotal> History);

    /// <summary>The label the report and console show for cost no service claims.</summary>
    public const string UnallocatedName = "unallocated";

    public static bool TryParseMonth(string? text, out DateTimeOffset month)
    {
        month = default;
        if (!DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return false;
        }
        month = new DateTimeOffset(parsed.Year, parsed.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return true;
    }

    public static async Task<IResult> Handle(string? month, ConfigReloader config, VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var start = CostSpend.MonthOf(now);
        if (month is not null && !TryParseMonth(month, out start))
        {
            return Hosting.Problems.Field("month", $"\"{month}\" is not a month: write 2026-11");
        }
        return TypedResults.Ok(await BuildAsync(db, config.Current.Config.Cost, start, now, cancellationToken));
    }

    /// <summary>The charges overlapping [from, to), allocated to services by the current settings.</summary>
    public static async Task<List<AllocatedCost>> LoadAsync(VigilDbContext db, CostSettings settings, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var lines = await db.Set<CostLine>().AsNoTracking()
            .Where(l => l.ChargePeriodStart < to && l.ChargePeriodEnd > from)
            .ToListAsync(cancellationToken);
        return CostSpend.Allocate(lines, settings);
    }

    public static async Task<MonthReport> BuildAsync(VigilDbContext db, CostSettings settings, DateTimeOffset month, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = month.AddMonths(-11);
        var end = month.AddMonths(1);
        var costs = await LoadAsync(db, settings, first, end, cancellationToken);
        return Build(costs, settings, month, now);
    }

    public static MonthReport Build(IReadOnlyList<AllocatedCost> costs, CostSettings settings, DateTimeOffset month, DateTimeOffset now)
    {
        var end = month.AddMonths(1);
        var until = now < end ? (now > month ? now : month) : end;
        var sums = CostSpend.Sum(costs, month, until);
        var byService = sums.GroupBy(s => s.Key.Service).ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);
        var services = settings.Budgets.Where(b => b.Service is not null).Select(b => b.Service!).Concat(byService.Keys.Where(s => s.Length > 0))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(s =>
            {
                var budget = settings.Budgets.FirstOrDefault(b => b.Service == s);
                return Line(s, byService.GetValueOrDefault(s), budget?.Monthly, budget?.Threshold, month, now);
            })
            .ToList();
        var total = Line(null, byService.Values.Sum(), settings.TotalBudget, null, month, now);
        var providers = sums.GroupBy(s => s.Key.Provider).Select(g => new ProviderMonth(g.Key.Length == 0 ? null : g.Key, g.Sum(s => s.Value)))
            .OrderByDescending(p => p.Spend).ToList();
        var history = Enumerable.Range(0, 12).Select(i => month.AddMonths(i - 11)).Select(m =>
        {
            var monthSums = CostSpend.Sum(costs, m, m.AddMonths(1) < until ? m.AddMonths(1) : until);
            var perService = monthSums.GroupBy(s => s.Key.Service.Length == 0 ? UnallocatedName : s.Key.Service)
                .ToDictionary(g => g.Key, g => Math.Round(g.Sum(s => s.Value), 2), StringComparer.Ordinal);
            return new MonthTotal(m.ToString("yyyy-MM", CultureInfo.InvariantCulture), Math.Round(monthSums.Values.Sum(), 2), perService);
        }).ToList();
        return new MonthReport(
            month.ToString("yyyy-MM", CultureInfo.InvariantCulture), ReadBillingFile.Currency, now >= end,
            Math.Round(Math.Clamp((now - month).TotalDays, 0, (end - month).TotalDays), 3), (int)(end - month).TotalDays,
            total, services, Math.Round(byService.GetValueOrDefault(""), 2), providers.Select(p => p with { Spend = Math.Round(p.Spend, 2) }).ToList(), history);
    }

    private static ServiceMonth Line(string? service, decimal spend, double? budget, double? threshold, DateTimeOffset month, DateTimeOffset now)
    {
        var forecast = CostSpend.Forecast(spend, month, now);
        return new ServiceMonth(
            service, Math.Round(spend, 2), budget, threshold, forecast is { } f ? Math.Round(f, 2) : null,
            budget is { } b ? Math.Round((double)spend / b * 100, 1) : null,
            budget is { } b2 && forecast is { } f2 ? Math.Round((double)f2 / b2 * 100, 1) : null);
    }
}
