namespace Vigil.Features.Alerting.Dispatch;

/// <summary>Why a group's flush does or does not notify its receiver.</summary>
public enum NotifyReason
{
    /// <summary>Never notified and something fires.</summary>
    FirstNotification,
    /// <summary>An alert fires that the receiver was not told about.</summary>
    NewFiringAlerts,
    /// <summary>Everything the receiver was told fires has resolved.</summary>
    AllResolved,
    /// <summary>An alert resolved since the last notification.</summary>
    NewResolvedAlerts,
    /// <summary>Nothing changed but repeat_interval has passed.</summary>
    RepeatIntervalPassed,
    /// <summary>Skip: never notified and nothing fires.</summary>
    NothingFiring,
    /// <summary>Skip: alerts fired and resolved between two notifications; the receiver never knew of them.</summary>
    ResolvedUnseen,
    /// <summary>Skip: the same alerts as last time, and repeat_interval has not passed.</summary>
    NothingChanged,
}

/// <summary>What the receiver was last told: the notification log entry's sets and time.</summary>
public sealed record LastNotification(IReadOnlySet<string> Firing, IReadOnlySet<string> Resolved, DateTimeOffset At);

/// <summary>
/// The dedup decision, as Alertmanager's <c>notify/notify.go</c> <c>DedupStage.needsUpdate</c> makes
/// it: a pure function of what was last sent, what fires and has resolved now, and the repeat interval.
/// </summary>
public static class NotifyDecision
{
    public static bool Notifies(this NotifyReason reason) => reason < NotifyReason.NothingFiring;

    public static NotifyReason NeedsUpdate(LastNotification? last, IReadOnlySet<string> firing, IReadOnlySet<string> resolved, TimeSpan repeatInterval, DateTimeOffset now)
    {
        // "If we haven't notified about the alert group before, notify right away unless we only have resolved alerts."
        if (last is null)
        {
            return firing.Count > 0 ? NotifyReason.FirstNotification : NotifyReason.NothingFiring;
        }
        // "!entry.IsFiringSubset(firing)": something fires that was not notified as firing.
        if (!firing.IsSubsetOf(last.Firing))
        {
            return NotifyReason.NewFiringAlerts;
        }
        // "Notify about all alerts being resolved ... irrespective of the send_resolved flag"; if the
        // last notification had nothing firing either, the receiver never heard of these alerts.
        if (firing.Count == 0)
        {
            return last.Firing.Count > 0 ? NotifyReason.AllResolved : NotifyReason.ResolvedUnseen;
        }
        // send_resolved is true for every Vigil receiver here; a channel that does not want resolved
        // notifications drops them at delivery.
        if (!resolved.IsSubsetOf(last.Resolved))
        {
            return NotifyReason.NewResolvedAlerts;
        }
        // "Nothing changed, only notify if the repeat interval has passed."
        return last.At < now - repeatInterval ? NotifyReason.RepeatIntervalPassed : NotifyReason.NothingChanged;
    }
}
