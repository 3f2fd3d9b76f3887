using System.Text.Json;

namespace Vigil.Features.Cost;

/// <summary>A charge after allocation: the Vigil service it counts for ("" when unallocated) and its provider ("" when not given).</summary>
public sealed record AllocatedCost(string Service, string Provider, DateTimeOffset Start, DateTimeOffset End, decimal Cost)
{
    /// <summary>
    /// The part of the charge that falls in [<paramref name="from"/>, <paramref name="to"/>): a charge is spread
    /// evenly over its charge period, so a monthly item counts 1/30 a day in a 30-day month.
    /// </summary>
    public decimal Within(DateTimeOffset from, DateTimeOffset to)
    {
        var start = Start > from ? Start : from;
        var end = End < to ? End : to;
        if (end <= start)
        {
            return 0;
        }
        var whole = (End - Start).Ticks;
        return whole <= 0 || end - start == End - Start ? Cost : Cost * (end - start).Ticks / whole;
    }
}

/// <summary>Allocation of charges to services and the month's figures: pure functions of the lines, the settings and now.</summary>
public static class CostSpend
{
    /// <summary>
    /// The service a charge counts for: the first <c>cost.mappings</c> entry whose every match column equals
    /// the line's value, else the value of the allocation tag (<c>Tags["service"]</c>), else "" (unallocated).
    /// </summary>
    public static string ServiceOf(CostLine line, CostSettings settings)
    {
        foreach (var mapping in settings.Mappings)
        {
            if (mapping.Match.Count > 0 && mapping.Match.All(m => string.Equals(line.Column(m.Key), m.Value, StringComparison.Ordinal)))
            {
                return mapping.Service ?? "";
            }
        }
        if (line.Tags is { } tags && JsonSerializer.Deserialize<Dictionary<string, string>>(tags) is { } map
            && map.TryGetValue(settings.Allocation.Tag, out var service) && !string.IsNullOrWhiteSpace(service))
        {
            return service;
        }
        return "";
    }

    public static List<AllocatedCost> Allocate(IEnumerable<CostLine> lines, CostSettings settings) =>
        [.. lines.Select(l => new AllocatedCost(ServiceOf(l, settings), l.ProviderName ?? "", l.ChargePeriodStart, l.ChargePeriodEnd, l.BilledCost))];

    public static DateTimeOffset MonthOf(DateTimeOffset t) => new(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset DayOf(DateTimeOffset t) => new(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The forecast month-end spend: spend so far / elapsed days * days in the month (a straight-line run
    /// rate). Null in the first day of the month, when one morning's charges would be multiplied thirtyfold.
    /// A month that is over has its spend as its forecast.
    /// </summary>
    public static decimal? Forecast(decimal spentSoFar, DateTimeOffset month, DateTimeOffset now)
    {
        var end = month.AddMonths(1);
        if (now >= end)
        {
            return spentSoFar;
        }
        var elapsedDays = (decimal)(now - month).TotalDays;
        if (elapsedDays < 1)
        {
            return null;
        }
        return spentSoFar / elapsedDays * (decimal)(end - month).TotalDays;
    }

    /// <summary>The cost of each (service, provider) in [from, to).</summary>
    public static Dictionary<(string Service, string Provider), decimal> Sum(IEnumerable<AllocatedCost> costs, DateTimeOffset from, DateTimeOffset to)
    {
        var sums = new Dictionary<(string, string), decimal>();
        foreach (var cost in costs)
        {
            var part = cost.Within(from, to);
            if (part != 0 || (cost.Start < to && cost.End > from))
            {
                sums[(cost.Service, cost.Provider)] = sums.GetValueOrDefault((cost.Service, cost.Provider)) + part;
            }
        }
        return sums;
    }
}
