using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;

namespace Vigil.Features.Slos;

/// <summary><c>GET /api/slos/{name}/report?month=2026-10</c>: how a calendar month (UTC) went against the objective, day by day.</summary>
public static class GetSloReport
{
    public sealed record DayReport(DateOnly Day, double? Attainment, double? BudgetConsumed);

    public sealed record MonthReport(
        string Slo, string Service, string Month, DateTimeOffset From, DateTimeOffset To, double Target,
        double? Attainment, double? BudgetRemaining, bool? Met, double AllowedDowntimeSeconds, string AllowedDowntime, IReadOnlyList<DayReport> Days);

    public static async Task<Results<Ok<MonthReport>, ValidationProblem, ProblemHttpResult>> Handle(
        string name, string? month, SloCatalog catalog, MeasureSlo measure, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var text = month ?? now.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (!DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var first))
        {
            return Problems.Field("month", $"\"{text}\" is not a month such as 2026-10");
        }
        var from = new DateTimeOffset(first.Year, first.Month, 1, 0, 0, 0, TimeSpan.Zero);
        if (from > now)
        {
            return Problems.Field("month", $"{text} has not begun");
        }
        if (catalog.Find(name) is not { } slo)
        {
            return Problems.NotFound($"no SLO named \"{name}\"");
        }
        var end = from.AddMonths(1);
        var to = end < now ? end : now;
        var whole = await measure.MeasureAsync(slo, new Monitors.Uptime.Interval(from, to), now, cancellationToken);
        var days = new List<DayReport>();
        for (var day = from; day < to; day = day.AddDays(1))
        {
            var dayEnd = day.AddDays(1) < to ? day.AddDays(1) : to;
            var part = await measure.MeasureAsync(slo, new Monitors.Uptime.Interval(day, dayEnd), now, cancellationToken);
            var consumed = SloBudget.Consumed(slo, part, whole, end - from);
            days.Add(new DayReport(DateOnly.FromDateTime(day.UtcDateTime), ErrorBudget.Attainment(part.ErrorRatio), consumed));
        }
        var allowed = ErrorBudget.AllowedDowntime(slo.Target, end - from);
        var attainment = ErrorBudget.Attainment(whole.ErrorRatio);
        return TypedResults.Ok(new MonthReport(slo.Name, slo.Service, text, from, to, slo.Target, attainment,
            SloBudget.Remaining(slo, whole, end - from), attainment is { } a ? a >= slo.Target : null,
            allowed.TotalSeconds, ErrorBudget.Describe(allowed), days));
    }
}
