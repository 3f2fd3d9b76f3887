using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting.Maintenance;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Notifications;
using Vigil.Features.Notifications.Outbox;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Dispatch;

/// <summary>
/// One pass of the dispatcher (Alertmanager <c>dispatch/dispatch.go</c>): routes every stored alert
/// through the tree into aggregation groups, starts a new group's timer at group_wait, flushes
/// every group whose timer is due — the dedup decision (<see cref="NotifyDecision"/>) on the
/// alerts that are not muted, the outbox message and the notification log; all due groups in one
/// transaction — then sets its timer to group_interval, and removes resolved alerts once they
/// were flushed.
/// </summary>
public sealed class DispatchAlerts(
    IServiceScopeFactory scopes, ConfigReloader config, TimeProvider clock, ActiveMaintenanceSource maintenance, Notifications.Delivery.OutboxSender outbox,
    ILogger<DispatchAlerts> logger)
{
    /// <summary>Alertmanager's <c>--data.retention</c> default: how long a notification log entry is kept.</summary>
    public static readonly TimeSpan LogRetention = TimeSpan.FromHours(120);

    // One pass at a time in the process, even across instances: two overlapping passes would
    // both decide to notify before either committed. Across replicas the <c>dispatch</c> lease does it (DispatchLoop).
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private readonly ConcurrentQueue<string> received = new();
    private (string Fingerprint, RouteNode? Tree, IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> Intervals) cached = ("", null, new Dictionary<string, IReadOnlyList<TimeInterval>>());

    /// <summary>Remembers fingerprints just written by <see cref="ReceiveAlerts"/>, for their history.</summary>
    public void OnReceived(IReadOnlyList<string> fingerprints)
    {
        foreach (var fingerprint in fingerprints)
        {
            received.Enqueue(fingerprint);
        }
    }

    /// <summary>Runs one pass; returns when the next group is due, if any. Passes never overlap.</summary>
    public async Task<DateTimeOffset?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            try
            {
                return await PassAsync(together: true, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Nothing of the pass committed. Flushed one by one, a group that keeps failing
                // cannot hold back the notifications of the others.
                logger.LogWarning(e, "Flushing the due alert groups together failed; flushing each on its own");
                return await PassAsync(together: false, cancellationToken);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private (RouteNode? Tree, IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> Intervals) Tree()
    {
        var current = config.Current;
        if (cached.Fingerprint != current.Fingerprint || current.Fingerprint.Length == 0)
        {
            cached = (current.Fingerprint, RouteNode.Build(current.Config.Routing.Route), TimeIntervals.Build(current.Config.Routing.TimeIntervals));
        }
        return (cached.Tree, cached.Intervals);
    }

    private sealed record Member(RouteNode Route, Labels GroupLabels, List<StoredAlert> Alerts);

    /// <param name="together">
    /// Flush every due group in one transaction (one commit however many groups are due: the
    /// 20 alerts that start firing in one evaluation reach the outbox at once); otherwise each in its
    /// own, skipping (and logging) a group whose flush fails.
    /// </param>
    private async Task<DateTimeOffset?> PassAsync(bool together, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = config.Current.Config.Routing;
        var (tree, intervals) = Tree();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var alerts = await db.Set<StoredAlert>().AsNoTracking().ToListAsync(cancellationToken);
        await RecordReceivedAsync(db, alerts, now, cancellationToken);

        // Route every alert (Alertmanager's processAlert for each route it matches).
        var members = new Dictionary<(string, string), Member>();
        var groupsOf = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            var labels = alert.Labels;
            var keys = groupsOf[alert.Fingerprint] = [];
            foreach (var route in tree?.Match(labels) ?? [])
            {
                var groupLabels = route.GroupLabels(labels);
                var key = (route.Id, StoredAlert.Encode(groupLabels));
                if (!members.TryGetValue(key, out var member))
                {
                    members[key] = member = new Member(route, groupLabels, []);
                }
                member.Alerts.Add(alert);
                keys.Add(key);
            }
        }

        var groups = await db.Set<AlertGroup>().ToDictionaryAsync(g => (g.RouteId, g.GroupLabelsJson), cancellationToken);
        foreach (var (key, member) in members)
        {
            if (!groups.TryGetValue(key, out var group))
            {
                group = new AlertGroup
                {
                    RouteId = key.Item1,
                    GroupLabelsJson = key.Item2,
                    GroupKey = $"{member.Route.Key}:{NotificationGroup.FormatLabelSet(member.GroupLabels)}",
                    Receiver = member.Route.Receiver,
                    CreatedAt = now,
                    // The group began when its first alert arrived, which may be before this pass.
                    NextFlushAt = member.Alerts.Min(a => a.UpdatedAt) + member.Route.GroupWait,
                    OpenIncident = member.Route.OpenIncident,
                };
                db.Add(group);
                groups[key] = group;
            }
            // aggrGroup.insert: "Immediately trigger a flush if the wait duration for this alert is already over."
            if (group.LastFlushAt is null && member.Alerts.Any(a => a.StartsAt + member.Route.GroupWait < now) && group.NextFlushAt > now)
            {
                group.NextFlushAt = now;
            }
        }
        // A group with no alerts left (they were flushed resolved and removed, or a reload routes them elsewhere) ends.
        foreach (var (key, group) in groups.Where(g => !members.ContainsKey(g.Key)).ToList())
        {
            db.Remove(group);
            groups.Remove(key);
        }
        await db.SaveChangesAsync(cancellationToken);

        var muting = await MutingAsync(db, alerts, settings, maintenance, now, cancellationToken);
        var incidents = scope.ServiceProvider.GetService<IIncidentOpener>();
        var due = groups.Where(g => g.Value.NextFlushAt <= now).OrderBy(g => g.Value.NextFlushAt).ThenBy(g => g.Value.Id).ToList();
        var enqueued = false;
        if (together && due.Count > 0)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var (key, group) in due)
            {
                enqueued |= await FlushAsync(db, group, members[key], muting, intervals, settings.ExternalUrl, incidents, now, cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        else
        {
            foreach (var (key, group) in due)
            {
                try
                {
                    if (db.Entry(group).State == EntityState.Detached)
                    {
                        db.Attach(group);
                    }
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    var sent = await FlushAsync(db, group, members[key], muting, intervals, settings.ExternalUrl, incidents, now, cancellationToken);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    enqueued |= sent;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Flushing alert group {GroupKey} to {Receiver} failed; it is tried again at the next pass", group.GroupKey, group.Receiver);
                    db.ChangeTracker.Clear(); // what it added is not saved with the next group
                }
            }
        }
        if (enqueued)
        {
            // Deliver now, not at the sender's next poll (up to a second later).
            outbox.Wake();
        }

        await CollectGarbageAsync(db, alerts, groupsOf, groups, now, cancellationToken);
        return groups.Count == 0 ? null : groups.Values.Min(g => g.NextFlushAt);
    }

    /// <summary>Flushes one group into the caller's unit of work (saved and committed by the caller).</summary>
    /// <returns>Whether a notification was added to the outbox.</returns>
    private static async Task<bool> FlushAsync(
        VigilDbContext db, AlertGroup group, Member member, AlertMuting muting, IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> intervals,
        string externalUrl, IIncidentOpener? incidents, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var route = member.Route;
        group.Receiver = route.Receiver;
        // Alertmanager's TimeActiveStage and TimeMuteStage come before dedup: inside a mute interval
        // (or outside the active ones) nothing is sent and the log keeps what the receiver was last
        // told, so the first flush after the interval sends what changed meanwhile.
        if (TimeIntervals.Mutes(route, intervals, NodaTime.Instant.FromDateTimeOffset(now)))
        {
            Flushed(group, route, now);
            return false;
        }
        var entry = await db.Set<NotificationLogEntry>().SingleOrDefaultAsync(e => e.Receiver == group.Receiver && e.GroupKey == group.GroupKey, cancellationToken);
        var last = entry is null ? null : new LastNotification(entry.Firing, entry.Resolved, entry.Timestamp);
        var told = last?.Firing ?? new HashSet<string>();
        var notified = new List<NotifiedAlert>();
        foreach (var alert in member.Alerts)
        {
            var resolved = alert.IsResolvedAt(now);
            var muted = muting.For(new AlertView(alert.Fingerprint, alert.Labels, !resolved)).IsMuted;
            // Muted alerts are not notified (Alertmanager's MuteStage), except the resolution of an
            // alert this receiver was told fires, when the route sends resolutions always.
            if (muted && !(resolved && route.SendResolvedAlways && told.Contains(alert.Fingerprint)))
            {
                continue;
            }
            // aggrGroup.flush: a firing alert is sent without its end, so that it does not resolve as time moves on.
            notified.Add(new NotifiedAlert(resolved ? AlertStatus.Resolved : AlertStatus.Firing, alert.Labels, alert.Annotations, alert.StartsAt, resolved ? alert.EndsAt : null,
                alert.GeneratorUrl.StartsWith('/') ? externalUrl.TrimEnd('/') + alert.GeneratorUrl : alert.GeneratorUrl));
        }
        var firing = notified.Where(a => a.Status == AlertStatus.Firing).Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var resolvedSet = notified.Where(a => a.Status == AlertStatus.Resolved).Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
        // notify.go MultiStage: when every alert was muted the pipeline stops before dedup, so
        // nothing is sent and the log keeps what the receiver was last told.
        var reason = notified.Count == 0 ? NotifyReason.NothingChanged : NotifyDecision.NeedsUpdate(last, firing, resolvedSet, route.RepeatInterval, now);
        var enqueued = false;
        if (reason.Notifies())
        {
            var sequence = (entry?.Sequence ?? 0) + 1;
            var notification = new NotificationGroup(route.Receiver, route.Key, member.GroupLabels, notified, externalUrl);
            var key = IdempotencyKey(route.Receiver, group.GroupKey, firing, resolvedSet, sequence);
            // The same notification again (a pass that committed nothing else) is not sent twice.
            if (!await db.Set<OutboxMessage>().AnyAsync(m => m.IdempotencyKey == key, cancellationToken))
            {
                NotificationOutbox.Enqueue(db, NotificationRequest.For(route.Receiver, notification, route.Key), key, now);
                enqueued = true;
            }
            if (entry is null)
            {
                entry = new NotificationLogEntry { Receiver = route.Receiver, GroupKey = group.GroupKey, FiringJson = "[]", ResolvedJson = "[]" };
                db.Add(entry);
            }
            entry.FiringJson = System.Text.Json.JsonSerializer.Serialize(firing.Order(StringComparer.Ordinal));
            entry.ResolvedJson = System.Text.Json.JsonSerializer.Serialize(resolvedSet.Order(StringComparer.Ordinal));
            entry.Timestamp = now;
            entry.Sequence = sequence;
            entry.ExpiresAt = now + LogRetention;
            foreach (var alert in notification.Alerts)
            {
                db.Add(new AlertEvent
                {
                    Fingerprint = alert.Fingerprint,
                    At = now,
                    Kind = "notified",
                    Status = alert.Status == AlertStatus.Firing ? "firing" : "resolved",
                    Receiver = route.Receiver,
                    Detail = $"{ReasonText(reason)}; group {group.GroupKey}",
                });
            }
            if (route.OpenIncident && notification.Status == AlertStatus.Firing)
            {
                if (incidents is not null)
                {
                    await incidents.OpenAsync(db, notification, now, cancellationToken);
                }
            }
        }
        Flushed(group, route, now);
        return enqueued;
    }

    private static void Flushed(AlertGroup group, RouteNode route, DateTimeOffset now)
    {
        group.LastFlushAt = now;
        group.OpenIncident = route.OpenIncident;
        // aggrGroup.run: after a flush the timer is reset to group_interval.
        group.NextFlushAt = now + route.GroupInterval;
    }

    public static string ReasonText(NotifyReason reason) => reason switch
    {
        NotifyReason.FirstNotification => "first notification",
        NotifyReason.NewFiringAlerts => "new firing alerts",
        NotifyReason.AllResolved => "all resolved",
        NotifyReason.NewResolvedAlerts => "new resolved alerts",
        NotifyReason.RepeatIntervalPassed => "repeat interval passed",
        _ => reason.ToString(),
    };

    /// <summary>Stable for one notification: receiver, group, the alert set with its state, and the receiver's sequence number for the group.</summary>
    public static string IdempotencyKey(string receiver, string groupKey, IEnumerable<string> firing, IEnumerable<string> resolved, long sequence)
    {
        var text = $"{receiver}\n{groupKey}\n{string.Join(',', firing.Order(StringComparer.Ordinal))}\n{string.Join(',', resolved.Order(StringComparer.Ordinal))}\n{sequence}";
        return "vigil-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Everything that can mute an alert at <paramref name="now"/>: active silences, inhibition rules, maintenance windows, catalog dependencies.</summary>
    public static async Task<AlertMuting> MutingAsync(VigilDbContext db, IReadOnlyList<StoredAlert> alerts, RoutingSettings settings, ActiveMaintenanceSource maintenance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var views = alerts.Select(a => new AlertView(a.Fingerprint, a.Labels, !a.IsResolvedAt(now))).ToList();
        var silences = await db.Set<Silences.Silence>().AsNoTracking().Where(s => s.EndsAt > now).ToListAsync(cancellationToken);
        var active = silences.Where(s => s.StateAt(now) == Silences.SilenceState.Active).Select(s => new ActiveSilence(s.SilenceId, s.Matchers())).ToList();
        var dependencies = settings.DependencySuppression
            ? new DependencySuppression(await DependencyMap.LoadAsync(db, cancellationToken), [.. settings.EffectiveDependencyRules.Select(InhibitRule.From)])
            : null;
        return new AlertMuting(views, active, [.. settings.InhibitRules.Select(InhibitRule.From)], await maintenance.ActiveAtAsync(db, now, cancellationToken), dependencies);
    }

    private async Task RecordReceivedAsync(VigilDbContext db, List<StoredAlert> alerts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byFingerprint = alerts.ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        var any = false;
        while (received.TryDequeue(out var fingerprint))
        {
            if (byFingerprint.TryGetValue(fingerprint, out var alert))
            {
                db.Add(new AlertEvent { Fingerprint = fingerprint, At = alert.UpdatedAt, Kind = "received", Status = alert.IsResolvedAt(now) ? "resolved" : "firing", Detail = alert.Source });
                any = true;
            }
        }
        if (any)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A resolved alert is removed once every group it belongs to has flushed since it resolved
    /// (aggrGroup.flush's <c>DeleteIfNotModified</c>): only if the source has not updated it meanwhile.
    /// </summary>
    private static async Task CollectGarbageAsync(VigilDbContext db, List<StoredAlert> alerts, Dictionary<string, List<(string, string)>> groupsOf, Dictionary<(string, string), AlertGroup> groups, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var alert in alerts.Where(a => a.IsResolvedAt(now)))
        {
            // Flushed after the resolution arrived: a flush at the same instant may have run before it.
            var flushed = groupsOf[alert.Fingerprint].All(key => groups.TryGetValue(key, out var g) && g.LastFlushAt >= alert.EndsAt && g.LastFlushAt > alert.UpdatedAt);
            if (!flushed)
            {
                continue;
            }
            var (fingerprint, updatedAt) = (alert.Fingerprint, alert.UpdatedAt);
            var deleted = await db.Set<StoredAlert>().Where(a => a.Fingerprint == fingerprint && a.UpdatedAt == updatedAt).ExecuteDeleteAsync(cancellationToken);
            if (deleted > 0)
            {
                db.Add(new AlertEvent { Fingerprint = fingerprint, At = alert.EndsAt, Kind = "resolved", Status = "resolved", Detail = alert.Timeout ? "not sent again within resolve_timeout" : "resolved by its source" });
            }
        }
        await db.Set<NotificationLogEntry>().Where(e => e.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>
/// The incidents area's entry point for routes with <c>open_incident: true</c>: called once per
/// firing notification of such a route, inside the dispatcher's transaction (it may query and page
/// there; its changes commit with the notification). The incidents area registers it.
/// </summary>
public interface IIncidentOpener
{
    Task OpenAsync(VigilDbContext db, NotificationGroup notification, DateTimeOffset now, CancellationToken cancellationToken);
}
