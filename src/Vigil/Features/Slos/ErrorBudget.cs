namespace Vigil.Features.Slos;

/// <summary>
/// The error budget arithmetic of the Google SRE workbook ("Implementing SLOs", "Alerting on SLOs"):
/// the budget is the share of events (or time) allowed to fail, 1 − target; the burn rate is how
/// fast a window consumes it, error ratio / (1 − target), so 1 spends exactly the whole budget over the SLO window.
/// </summary>
public static class ErrorBudget
{
    /// <summary>Error ratio over a window / (1 − target); null without data.</summary>
    public static double? BurnRate(double? errorRatio, double target) =>
        errorRatio is { } e && double.IsFinite(e) ? e / (1 - target) : null;

    /// <summary>
    /// 1 − bad / (total × (1 − target)) over the SLO window: 1 untouched, 0 spent, below 0 overspent;
    /// the same as 1 − error ratio / (1 − target).
    /// </summary>
    public static double? Remaining(double? errorRatio, double target) =>
        BurnRate(errorRatio, target) is { } burn ? 1 - burn : null;

    /// <summary>The share of events (or time) that was good.</summary>
    public static double? Attainment(double? errorRatio) =>
        errorRatio is { } e && double.IsFinite(e) ? 1 - e : null;

    /// <summary>
    /// How much downtime the target allows in <paramref name="period"/>: (1 − target) × period, the
    /// seeds' figure (99.9 % allows 8.77 hours a year and 43.8 minutes a month).
    /// </summary>
    public static TimeSpan AllowedDowntime(double target, TimeSpan period) =>
        TimeSpan.FromSeconds(Math.Round((1 - target) * period.TotalSeconds, 3));

    /// <summary>A year of 365.25 days and a month of a twelfth of that, as availability tables count them.</summary>
    public static readonly TimeSpan Year = TimeSpan.FromDays(365.25);

    public static readonly TimeSpan Month = Year / 12;

    /// <summary>
    /// The share of the whole budget of an SLO window that a part of it consumed:
    /// bad events in the part / (events in the whole window × (1 − target)).
    /// </summary>
    public static double? Consumed(double partErrorRatio, double partEvents, double windowEvents, double target) =>
        windowEvents > 0 && double.IsFinite(partErrorRatio) ? partErrorRatio * partEvents / (windowEvents * (1 - target)) : null;

    /// <summary>"8.77 hours", "43.8 minutes", "26.3 seconds": three significant figures in the largest fitting unit.</summary>
    public static string Describe(TimeSpan duration)
    {
        static string Figure(double value) => value.ToString(value >= 100 ? "0" : value >= 10 ? "0.#" : "0.##", System.Globalization.CultureInfo.InvariantCulture);
        return duration.TotalDays >= 2 ? $"{Figure(duration.TotalDays)} days"
            : duration.TotalHours >= 2 ? $"{Figure(duration.TotalHours)} hours"
            : duration.TotalMinutes >= 2 ? $"{Figure(duration.TotalMinutes)} minutes"
            : $"{Figure(duration.TotalSeconds)} seconds";
    }

    /// <summary>
    /// The burn-rate alert pairs of the SRE workbook's table 5-8 (also Sloth's defaults): a pair fires
    /// when the error ratio exceeds <c>factor × (1 − target)</c> over both its long and its short window.
    /// </summary>
    public static readonly IReadOnlyList<BurnAlert> Alerts =
    [
        new(14.4, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), "page"),
        new(6, TimeSpan.FromHours(6), TimeSpan.FromMinutes(30), "page"),
        new(1, TimeSpan.FromDays(3), TimeSpan.FromHours(6), "ticket"),
    ];

    /// <summary>The windows whose error ratio is recorded, as Sloth records them (<c>slo:sli_error:ratio_rate5m</c> ... <c>3d</c>).</summary>
    public static readonly IReadOnlyList<TimeSpan> RecordedWindows =
        [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(3)];
}

/// <summary>One multi-window burn-rate alert: the factor, its two windows and Sloth's severity.</summary>
public sealed record BurnAlert(double Factor, TimeSpan LongWindow, TimeSpan ShortWindow, string Severity);
