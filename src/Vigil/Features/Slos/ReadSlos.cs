using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;

namespace Vigil.Features.Slos;

/// <summary><c>GET /api/slos</c>, <c>GET /api/slos/{name}</c> and <c>GET /api/slos/{name}/history</c>: SLOs with their error budgets now and over their window.</summary>
public static class ReadSlos
{
    public sealed record SloView(
        string Name, string Service, string? Description, string Kind, double Target, string Window, string Origin,
        string? Monitor, string? GoodQuery, string? BadQuery, string? TotalQuery, string RuleGroup,
        DateTimeOffset WindowFrom, DateTimeOffset WindowTo, double? ErrorRatio, double? Attainment, double? BudgetRemaining,
        IReadOnlyList<BurnRateView> BurnRates, AllowedDowntime AllowedDowntime, double? UnknownSeconds)
    {
        public static SloView From(SloStatus s) => new(
            s.Slo.Name, s.Slo.Service, s.Slo.Description, s.Slo.KindName, s.Slo.Target, s.Slo.Window,
            s.Slo.Origin.ToString().ToLowerInvariant(), s.Slo.Monitor, s.Slo.GoodQuery, s.Slo.BadQuery, s.Slo.TotalQuery, $"slo:{s.Slo.Name}",
            s.Window.From, s.Window.To, s.ErrorRatio, s.Attainment, s.BudgetRemaining, s.BurnRates, s.Allowed, s.UnknownSeconds);
    }

    /// <summary>A point of the history chart: the budget left of the current window, and the 1-hour burn rate.</summary>
    public sealed record HistoryPoint(DateTimeOffset At, double? BudgetRemaining, double? BurnRate1h);

    public static async Task<Ok<List<SloView>>> List(string? service, SloCatalog catalog, MeasureSlo measure, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var views = new List<SloView>();
        foreach (var slo in catalog.Slos.Where(s => service is null || s.Service == service))
        {
            views.Add(SloView.From(await measure.StatusAsync(slo, now, cancellationToken)));
        }
        return TypedResults.Ok(views);
    }

    public static async Task<Results<Ok<SloView>, ProblemHttpResult>> Get(string name, SloCatalog catalog, MeasureSlo measure, TimeProvider clock, CancellationToken cancellationToken) =>
        catalog.Find(name) is { } slo
            ? TypedResults.Ok(SloView.From(await measure.StatusAsync(slo, clock.GetUtcNow(), cancellationToken)))
            : Problems.NotFound($"no SLO named \"{name}\"");

    public static async Task<Results<Ok<List<HistoryPoint>>, ValidationProblem, ProblemHttpResult>> History(
        string name, int? points, SloCatalog catalog, MeasureSlo measure, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (points is < 2 or > 500)
        {
            return Problems.Field("points", "must be 2 to 500");
        }
        if (catalog.Find(name) is not { } slo)
        {
            return Problems.NotFound($"no SLO named \"{name}\"");
        }
        return TypedResults.Ok(await HistoryAsync(slo, points ?? 60, measure, clock.GetUtcNow(), cancellationToken));
    }

    /// <summary>
    /// The budget burning down over the current window: at each point, 1 − the budget the window
    /// consumed up to then (bad events so far / (all events of the window so far × (1 − target))),
    /// ending at today's remaining budget; and the 1-hour burn rate at that point.
    /// </summary>
    public static async Task<List<HistoryPoint>> HistoryAsync(Slo slo, int points, MeasureSlo measure, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = slo.WindowAt(now);
        var whole = await measure.MeasureAsync(slo, window, now, cancellationToken);
        var history = new List<HistoryPoint>();
        for (var i = 1; i <= points; i++)
        {
            var at = window.From + ((window.To - window.From) * i / points);
            var part = await measure.MeasureAsync(slo, new Monitors.Uptime.Interval(window.From, at), now, cancellationToken);
            var consumed = SloBudget.Consumed(slo, part, whole, slo.PeriodLength(now));
            var hour = await measure.MeasureAsync(slo, new Monitors.Uptime.Interval(at - TimeSpan.FromHours(1), at), now, cancellationToken);
            history.Add(new HistoryPoint(at, 1 - consumed, ErrorBudget.BurnRate(hour.ErrorRatio, slo.Target)));
        }
        return history;
    }
}
