namespace Vigil.Features.Alerting.Evaluation;

/// <summary>
/// When an alert that was active before a restart counts as active from, given what
/// <c>ALERTS_FOR_STATE</c> held: Prometheus 2.42's <c>Group.RestoreForState</c> (rules/manager.go).
/// Vigil differs in one respect: Prometheus skips the restore for rules whose <c>for</c> is
/// shorter than the grace period, so such an alert that was firing waits its <c>for</c> again
/// after a restart; Vigil restores every rule, so a firing alert stays firing.
/// </summary>
public static class RestoreForState
{
    /// <param name="activeAtMs">The restored <c>ActiveAt</c> (the series' last value, in ms).</param>
    /// <param name="downAtMs">The time of the series' last sample: when the server went down.</param>
    /// <param name="nowMs">The restore time.</param>
    /// <param name="holdFor">The rule's <c>for</c>.</param>
    /// <param name="gracePeriod"><c>alerting.for_grace_period</c>.</param>
    public static long ActiveAt(long activeAtMs, long downAtMs, long nowMs, TimeSpan holdFor, TimeSpan gracePeriod)
    {
        var hold = (long)holdFor.TotalMilliseconds;
        var grace = (long)gracePeriod.TotalMilliseconds;
        var remaining = hold - (downAtMs - activeAtMs);
        if (remaining <= 0)
        {
            // It was firing when the server went down: it fires again at the next evaluation.
            return activeAtMs;
        }
        if (remaining < grace)
        {
            // Less than the grace period was left: it gets the grace period from now.
            return nowMs + grace - hold;
        }
        // Otherwise the pending time is shifted by the downtime.
        return activeAtMs + (nowMs - downAtMs);
    }
}
