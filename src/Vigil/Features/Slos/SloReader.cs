namespace Vigil.Features.Slos;

/// <summary>One SLO's standing now, as other areas (status page, incidents) show it.</summary>
/// <param name="Target">The objective as a fraction, e.g. 0.999.</param>
/// <param name="Attainment">The share of good events (or time) over the window so far; null while there is no data.</param>
/// <param name="BudgetRemaining">The error budget left as a fraction of the whole budget (1 = untouched, below 0 = overspent); null while there is no data.</param>
/// <param name="Window">As configured: <c>30d</c>, <c>28d</c> or <c>calendar_month</c>.</param>
public sealed record SloStanding(string Name, string Service, double Target, double? Attainment, double? BudgetRemaining, string Window);

/// <summary>The SLO area's read model for other areas; registered by the SLO area.</summary>
public interface ISloReader
{
    /// <summary>The standing of every SLO, or of one service's SLOs.</summary>
    Task<IReadOnlyList<SloStanding>> StandingsAsync(string? service, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// How much of each of <paramref name="service"/>'s SLOs' error budget the period
    /// [<paramref name="from"/>, <paramref name="to"/>) consumed, as a fraction of the whole budget
    /// (keyed by SLO name); how an incident's impact is reported against the budget.
    /// </summary>
    Task<IReadOnlyDictionary<string, double>> BudgetConsumedAsync(string service, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="ISloReader"/> over the SLOs in force: each call measures in its own scope, so
/// singletons of other areas may hold it.
/// </summary>
public sealed class SloReader(SloCatalog catalog, IServiceScopeFactory scopes) : ISloReader
{
    public async Task<IReadOnlyList<SloStanding>> StandingsAsync(string? service, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var measure = scope.ServiceProvider.GetRequiredService<MeasureSlo>();
        var standings = new List<SloStanding>();
        foreach (var slo in catalog.Slos.Where(s => service is null || s.Service == service))
        {
            var whole = await measure.MeasureAsync(slo, slo.WindowAt(now), now, cancellationToken);
            standings.Add(new SloStanding(slo.Name, slo.Service, slo.Target, ErrorBudget.Attainment(whole.ErrorRatio), SloBudget.Remaining(slo, whole, slo.PeriodLength(now)), slo.Window));
        }
        return standings;
    }

    public async Task<IReadOnlyDictionary<string, double>> BudgetConsumedAsync(string service, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var measure = scope.ServiceProvider.GetRequiredService<MeasureSlo>();
        var consumed = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var slo in catalog.Slos.Where(s => s.Service == service))
        {
            // The budget is that of the SLO window that ends with the period.
            var part = await measure.MeasureAsync(slo, new Monitors.Uptime.Interval(from, to), to, cancellationToken);
            var whole = await measure.MeasureAsync(slo, slo.WindowAt(to), to, cancellationToken);
            if (SloBudget.Consumed(slo, part, whole, slo.PeriodLength(to)) is { } share)
            {
                consumed[slo.Name] = share;
            }
        }
        return consumed;
    }
}
