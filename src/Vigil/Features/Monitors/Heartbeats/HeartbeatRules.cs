using Cronos;

namespace Vigil.Features.Monitors.Heartbeats;

/// <summary>The pings a heartbeat has received (the newest of each kind), and since when it exists.</summary>
public sealed record HeartbeatPings(DateTimeOffset Since, DateTimeOffset? LastSuccess, DateTimeOffset? LastStart, DateTimeOffset? LastFail, string? LastLog);

/// <summary>
/// The dead man's switch, as a decision of its inputs and <c>now</c>: a heartbeat is down when the
/// job reported failure, when a run started and did not succeed within <c>max_duration</c>, or when
/// no success arrived by the expected time plus grace; unknown while waiting for the very first ping.
/// </summary>
public static class HeartbeatRules
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(5);

    public static CheckResult Evaluate(HeartbeatPings pings, TimeSpan? period, CronExpression? cron, TimeSpan grace, TimeSpan? maxDuration, DateTimeOffset now)
    {
        if (pings.LastFail is { } failed && failed >= (pings.LastSuccess ?? DateTimeOffset.MinValue))
        {
            var log = string.IsNullOrWhiteSpace(pings.LastLog) ? "" : $": {Shorten(pings.LastLog)}";
            return CheckResult.Down($"job reported failure at {failed:u}{log}", TimeSpan.Zero);
        }
        if (pings.LastStart is { } started && started > (pings.LastSuccess ?? DateTimeOffset.MinValue) && maxDuration is { } max && now - started > max)
        {
            return CheckResult.Down($"slow job: started at {started:u}, not finished within {Configuration.Duration.Format(max)}", now - started);
        }
        var reference = pings.LastSuccess ?? pings.Since;
        var due = period is { } p ? reference + p : cron!.GetNextOccurrence(reference.UtcDateTime, TimeZoneInfo.Utc) is { } next ? new DateTimeOffset(next) : DateTimeOffset.MaxValue;
        if (due != DateTimeOffset.MaxValue && now > due + grace)
        {
            var since = pings.LastSuccess is null ? "no ping yet" : $"last ping {Configuration.Duration.Format(Truncate(now - reference))} ago";
            return CheckResult.Down($"late: {since}, expected by {due:u} (grace {Configuration.Duration.Format(grace)})", TimeSpan.Zero);
        }
        return pings.LastSuccess is { } last
            ? CheckResult.Up($"last ping at {last:u}", TimeSpan.Zero)
            : new CheckResult(MonitorStatus.Unknown, "waiting for the first ping", TimeSpan.Zero);
    }

    private static TimeSpan Truncate(TimeSpan t) => TimeSpan.FromSeconds(Math.Floor(t.TotalSeconds));

    private static string Shorten(string log)
    {
        var line = log.Trim().ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..200] + "…";
    }
}
