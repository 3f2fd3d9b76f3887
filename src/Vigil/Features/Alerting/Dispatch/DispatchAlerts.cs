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
    Cluster.ClusterMembership cluster, WriteTurn writes, ILogger<DispatchAlerts> logger)
{
    /// <summary>Alertmanager's <c>--data.retention</c> default: how long a notification log entry is kept.</summary>
    public static readonly TimeSpan LogRetention = TimeSpan.FromHours(120);

    // One pass at a time in the process, even across instances: two overlapping passes would
    // both decide to notify before either committed. Across replicas the <c>dispatch</c> lease does it (DispatchLoop).
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private readonly ConcurrentQueue<Ingest> ingests = new();
    private static readonly AsyncLocal<bool> Passing = new();

    /// <summary>
    /// The stored alerts, groups and notification log as the last committed pass left them, when
    /// this process is the only one (SQLite): it is then the only writer of all three, so a pass
    /// need not read them again. Null until the first pass loads them, and again after a pass
    /// fails (what it changed in memory was not committed) or alerts were written around it.
    /// </summary>
    private Remembered? remembered;

    private sealed record Remembered(
        Dictionary<string, StoredAlert> Alerts, Dictionary<(string, string), AlertGroup> Groups, Dictionary<(string, string), NotificationLogEntry> Log)
    {
        /// <summary>The alerts' groups, kept up to date by the passes that keep this state (built by the first).</summary>
        public GroupMembership? Index { get; set; }

        /// <summary>The groups' timers in time order, kept up to date by the passes that keep this state (built by the first).</summary>
        public GroupTimers? Timers { get; set; }

        /// <summary>The alerts' ends in time order (when each resolves), kept up to date likewise.</summary>
        public DueNotes<string, StoredAlert>? Ends { get; set; }

        /// <summary>The notification log's expiries in time order, kept up to date likewise.</summary>
        public DueNotes<(string, string), NotificationLogEntry>? Expiries { get; set; }
    }

    /// <summary>Alerts handed to a pass by <see cref="IngestAsync"/>, and the caller waiting for their commit.</summary>
    private sealed record Ingest(List<StoredAlert> Alerts, ILogger Logger, TaskCompletionSource Committed);

    /// <summary>
    /// Whether <see cref="IngestAsync"/> may be used: one process (SQLite), so this dispatcher holds
    /// its state alone, and not from inside a pass (whose transaction the caller would wait for).
    /// </summary>
    public bool TakesIngest => cluster.SingleProcess && !Passing.Value;

    /// <summary>When the next group is due, as the last pass (of the loop or of an ingest) left the groups.</summary>
    public DateTimeOffset? NextDue { get; private set; }

    /// <summary>Raised after an ingest's pass committed: the groups' timers may have moved (<see cref="NextDue"/>).</summary>
    public event Action? Retimed;

    /// <summary>Alerts were written without this dispatcher (see <see cref="TakesIngest"/>): the next pass reads the store again.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref forgotten);
        Volatile.Write(ref remembered, null);
    }

    private long forgotten;
    private MutingInputs? mutingInputs;

    /// <summary>
    /// Stores normalized alerts (see <see cref="ReceiveAlerts"/>) in the same commit as the pass that
    /// routes them and flushes the groups now due, so an alert that starts a group with no
    /// group_wait reaches the outbox, and the sender, in one durable commit. Concurrent callers
    /// share a pass and its commit (group commit): whoever takes the pass's turn first takes
    /// every waiting caller's alerts with it. Completes once the alerts are committed; throws, with
    /// nothing stored, when they could not be.
    /// </summary>
    /// <param name="log">Where the alerts' changes are logged (the operator log of the ingest).</param>
    public async Task IngestAsync(List<StoredAlert> alerts, ILogger log, CancellationToken cancellationToken)
    {
        var ingest = new Ingest(alerts, log, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        ingests.Enqueue(ingest);
        var turn = Gate.WaitAsync(cancellationToken);
        if (await Task.WhenAny(turn, ingest.Committed.Task) != turn)
        {
            // Another caller's pass took these alerts along and committed them.
            _ = turn.ContinueWith(t => Gate.Release(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            await ingest.Committed.Task;
            return;
        }
        await turn;
        try
        {
            if (!ingest.Committed.Task.IsCompleted)
            {
                try
                {
                    await RunLockedAsync(cancellationToken);
                }
                catch (Exception e) when (ingest.Committed.Task.IsCompletedSuccessfully)
                {
                    // The alerts committed; what failed came after (garbage collection): the put succeeded.
                    logger.LogError(e, "Dispatching alerts failed after their commit; the next pass tries again");
                }
                Retimed?.Invoke();
            }
        }
        finally
        {
            Gate.Release();
        }
        await ingest.Committed.Task;
    }
    private (string Fingerprint, RouteNode? Tree, IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> Intervals) cached = ("", null, new Dictionary<string, IReadOnlyList<TimeInterval>>());

    /// <summary>Runs one pass; returns when the next group is due, if any. Passes never overlap.</summary>
    public async Task<DateTimeOffset?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return await RunLockedAsync(cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A pass, with the dispatcher's turn held; it takes the alerts of every waiting <see cref="IngestAsync"/>.</summary>
    private async Task<DateTimeOffset?> RunLockedAsync(CancellationToken cancellationToken)
    {
        var taken = new List<Ingest>();
        while (ingests.TryDequeue(out var ingest))
        {
            taken.Add(ingest);
        }
        Passing.Value = true;
        try
        {
            try
            {
                return NextDue = await PassAsync(together: true, taken, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException && !taken.Any(i => i.Committed.Task.IsCompleted))
            {
                // Nothing of the pass committed (a failure after the commit, in the garbage collection,
                // is the caller's to log: the arrivals must not be applied twice). Flushed one by one,
                // a group that keeps failing cannot hold back the notifications of the others (nor
                // the alerts' own commit).
                logger.LogWarning(e, "Flushing the due alert groups together failed; flushing each on its own");
                return NextDue = await PassAsync(together: false, taken, cancellationToken);
            }
        }
        catch (Exception e)
        {
            foreach (var ingest in taken)
            {
                ingest.Committed.TrySetException(e);
            }
            throw;
        }
        finally
        {
            Passing.Value = false;
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

    private RouteNode? routedTree;
    private readonly Dictionary<string, List<RoutedTo>> routed = new(StringComparer.Ordinal);

    /// <summary>The routes an alert takes under <see cref="routedTree"/>, worked out once per alert and tree.</summary>
    private List<RoutedTo> RoutesOf(StoredAlert alert)
    {
        if (!routed.TryGetValue(alert.Fingerprint, out var routes))
        {
            var labels = alert.Labels;
            routes = [.. (routedTree?.Match(labels) ?? []).Select(route =>
            {
                var groupLabels = route.GroupLabels(labels);
                return new RoutedTo(route, groupLabels, (route.Id, StoredAlert.Encode(groupLabels)));
            })];
            routed[alert.Fingerprint] = routes;
        }
        return routes;
    }

    /// <param name="together">
    /// Flush every due group in one transaction (one commit however many groups are due: the
    /// 20 alerts that start firing in one evaluation reach the outbox at once); otherwise each in its
    /// own, skipping (and logging) a group whose flush fails.
    /// </param>
    private async Task<DateTimeOffset?> PassAsync(bool together, List<Ingest> taken, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = config.Current.Config.Routing;
        var (tree, intervals) = Tree();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        // Taken for the pass: put back only by a pass that committed all it changed in memory.
        var forgets = Interlocked.Read(ref forgotten);
        var state = cluster.SingleProcess ? Interlocked.Exchange(ref remembered, null) ?? await RecallAsync(db, cancellationToken) : null;
        var byFingerprint = state?.Alerts ?? await db.Set<StoredAlert>().AsNoTracking().ToDictionaryAsync(a => a.Fingerprint, StringComparer.Ordinal, cancellationToken);
        // The pass's own rows (alerts, history, groups, log entries, outbox messages) are named here and
        // written as they are when it commits (DirectRows), without the change tracker: attaching,
        // detecting and accepting changes on them was 10 % of the alert path's CPU (bench/alerting).
        // What others add through the context (an incident the flush opens) is saved with them.
        var rows = new DirectRows(db);
        foreach (var ingest in taken)
        {
            // The arrivals' history is recorded with them (Apply), in the pass's commit.
            ReceiveAlerts.Apply(rows, byFingerprint, ingest.Alerts, now, ingest.Logger);
            foreach (var alert in ingest.Alerts)
            {
                // Its end may have moved (or it is new): noted where it is now.
                state?.Ends?.Set(alert.Fingerprint, byFingerprint[alert.Fingerprint]);
            }
        }
        var next = await PassAsync(db, rows, scope.ServiceProvider, state, byFingerprint, taken, tree, intervals, settings, together, now, cancellationToken);
        // Not when a flush failed or alerts were written around the pass meanwhile (Forget).
        if (state is not null && Interlocked.Read(ref forgotten) == forgets)
        {
            Volatile.Write(ref remembered, state);
        }
        return next;
    }

    /// <summary>Reads what <see cref="remembered"/> holds from the store.</summary>
    private static async Task<Remembered> RecallAsync(VigilDbContext db, CancellationToken cancellationToken) => new(
        await db.Set<StoredAlert>().AsNoTracking().ToDictionaryAsync(a => a.Fingerprint, StringComparer.Ordinal, cancellationToken),
        await db.Set<AlertGroup>().AsNoTracking().ToDictionaryAsync(g => (g.RouteId, g.GroupLabelsJson), cancellationToken),
        await db.Set<NotificationLogEntry>().AsNoTracking().ToDictionaryAsync(e => (e.Receiver, e.GroupKey), cancellationToken));

    private static void Committed(List<Ingest> taken)
    {
        foreach (var ingest in taken)
        {
            ingest.Committed.TrySetResult();
        }
    }

    private async Task<DateTimeOffset?> PassAsync(
        VigilDbContext db, DirectRows rows, IServiceProvider services, Remembered? state, Dictionary<string, StoredAlert> alerts, List<Ingest> taken, RouteNode? tree,
        IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> intervals, RoutingSettings settings, bool together, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Route the alerts (Alertmanager's processAlert for each route it matches). An alert's labels
        // never change (its fingerprint is their hash), so it is routed once per tree; while the state
        // is remembered only the arrivals are put into their groups, and a pass's work grows with what
        // changed, not with every alert stored.
        if (!ReferenceEquals(routedTree, tree))
        {
            routed.Clear();
            routedTree = tree;
        }
        var index = state?.Index is { } built && ReferenceEquals(built.Tree, tree) ? built : null;
        // The groups to create or to trigger at once (the arrivals' groups), and those left without alerts.
        IEnumerable<(string, string)> touched;
        List<(string, string)>? emptied;
        if (index is null)
        {
            index = new GroupMembership(tree);
            foreach (var alert in alerts.Values)
            {
                index.Put(alert, RoutesOf);
            }
            if (state is not null)
            {
                state.Index = index;
            }
            if (routed.Count > alerts.Count)
            {
                // Alerts removed since: forget their routes.
                foreach (var gone in routed.Keys.Where(f => !index.GroupsOf.ContainsKey(f)).ToList())
                {
                    routed.Remove(gone);
                }
            }
            touched = index.Members.Keys;
            emptied = null;
        }
        else
        {
            var keys = new HashSet<(string, string)>();
            foreach (var alert in taken.SelectMany(i => i.Alerts))
            {
                keys.UnionWith(index.Put(alerts[alert.Fingerprint], RoutesOf).Select(r => r.Key));
            }
            touched = keys;
            emptied = index.TakeEmptied();
        }
        var members = index.Members;

        var groups = state?.Groups ?? await db.Set<AlertGroup>().AsNoTracking().ToDictionaryAsync(g => (g.RouteId, g.GroupLabelsJson), cancellationToken);
        // Remembered, the timers are kept as the groups change; read from the store, they are ordered below.
        var timers = state is null ? null : state.Timers ??= GroupTimers.Of(groups);
        foreach (var key in touched)
        {
            var member = members[key];
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
                    NextFlushAt = member.Alerts.Values.Min(a => a.UpdatedAt) + member.Route.GroupWait,
                    OpenIncident = member.Route.OpenIncident,
                };
                rows.Insert(group);
                groups[key] = group;
                timers?.Set(key, group);
            }
            // aggrGroup.insert: "Immediately trigger a flush if the wait duration for this alert is already over."
            if (group.LastFlushAt is null && member.Alerts.Values.Any(a => a.StartsAt + member.Route.GroupWait < now) && group.NextFlushAt > now)
            {
                group.NextFlushAt = now;
                rows.Update(group, nameof(AlertGroup.NextFlushAt));
                timers?.Set(key, group);
            }
        }
        // A group with no alerts left (they were flushed resolved and removed, or a reload routes them elsewhere) ends.
        foreach (var key in emptied ?? [.. groups.Keys.Where(k => !members.ContainsKey(k))])
        {
            if (groups.Remove(key, out var group))
            {
                rows.Delete(group);
            }
        }

        var log = state?.Log;
        // One process writes them all (SQLite): read again only when one of them was saved.
        var inputs = state is not null && mutingInputs is { } kept && kept.Current(settings.DependencySuppression, now)
            ? kept
            : await MutingInputs.ReadAsync(db, maintenance, settings.DependencySuppression, now, cancellationToken);
        mutingInputs = state is null ? null : inputs;
        var muting = inputs.Muting(alerts.Values, settings, now);
        var incidents = services.GetService<IIncidentOpener>();
        timers ??= GroupTimers.Of(groups);
        var due = timers.TakeDue(groups, now);
        var enqueued = false;
        List<OutboxMessage>? committed = null;
        if (together)
        {
            // One commit for the pass: the arrivals' history, new and ended groups, and every due
            // group's notification, log entry and timer. Everything read above was read without
            // the write lock (only this pass writes groups and the log), so other writers wait
            // for the lock only while this transaction writes. On the alert path that is the one
            // durable commit between the alert's own and the webhook.
            if (due.Count > 0 || !rows.IsEmpty || db.ChangeTracker.HasChanges())
            {
                // Committed unsynced (SQLite), handed to the sender, then synced: the webhook goes out
                // while the log reaches the disk. The callers are told (Committed) only once it did.
                // Lost to a power cut before the sync, the notifications may have gone out but the
                // alerts were not acknowledged: sent again (the sources resend) rather than lost.
                DeferredSync unsynced;
                using (var turn = await writes.EnterAsync(cancellationToken))
                {
                    // The connection is the turn's, taken within it and given back before it ends: the
                    // writers that take turns (this pass, the sender's record of a delivery) write
                    // through one SQLite connection, kept open (WriteTurn). A connection that finds the
                    // database changed by another drops its whole page cache and reads each page it
                    // needs again: 48 reads of the log per alert (strace of bench/alerting), a fifth of
                    // the pass's statements' time.
                    unsynced = await DeferredSync.BeginAsync(db, turn, cancellationToken);
                    await using (unsynced)
                    {
                        // The flushes read nothing the arrivals wrote (the outbox by key, the log, incidents with
                        // their own unsaved ones), so arrivals and flushes are saved together, once. The turn
                        // keeps the sender's record of the last delivery from putting this commit to sleep.
                        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                        committed = [];
                        foreach (var (key, group) in due)
                        {
                            if (await FlushAsync(db, rows, group, members[key], muting, log, intervals, settings.ExternalUrl, incidents, now, cancellationToken) is { } message)
                            {
                                committed.Add(message);
                            }
                        }
                        // Plain rows, each statement prepared once, without SaveChanges' pipeline: on the
                        // alert path that was ~13 % of the CPU.
                        var added = await rows.SaveAllAsync(cancellationToken);
                        // The notifications, and any page an opened incident sent, go to the sender as they are once committed.
                        var paged = added.OfType<OutboxMessage>().ToList();
                        committed.AddRange(paged);
                        enqueued = committed.Count > 0;
                        if (paged.Count > 0)
                        {
                            // Handed over below (Deliver): the sender need not also be woken to look for them.
                            AfterCommit.Remove(db, outbox.Wake);
                        }
                        await transaction.CommitAsync(cancellationToken);
                        foreach (var message in paged)
                        {
                            // The sender tracks them from here; this pass's later saves must not write them.
                            db.Entry(message).State = EntityState.Detached;
                        }
                        if (committed.Count > 0)
                        {
                            // Deliver now, without the sender reading them back, and before the connection
                            // goes back (the sender records the delivery with it once the receiver answered).
                            outbox.Deliver(committed);
                        }
                    }
                }
                // The log file's own sync: the connection is not needed for it.
                await unsynced.SyncAsync(cancellationToken);
                if (enqueued)
                {
                    // The notifications are on their way and the alerts durable. If the collector's
                    // young-generation budget is mostly spent, it collects here, between one alert and
                    // the next, rather than inside the next one's path: Optimized mode collects only
                    // when the runtime finds it worthwhile, and costs next to nothing otherwise
                    // (https://learn.microsoft.com/dotnet/api/system.gccollectionmode). A collection
                    // pauses the process ~2 ms on this path's heap; one came every ~60 alerts, in
                    // whichever alert crossed the budget, and made most of the slowest 1 % (bench/alerting).
                    GC.Collect(0, GCCollectionMode.Optimized, blocking: true);
                }
            }
            Committed(taken);
        }
        else
        {
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                await rows.ExecuteAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            Committed(taken);
            foreach (var (key, group) in due)
            {
                try
                {
                    var flush = new DirectRows(db);
                    await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                    var sent = await FlushAsync(db, flush, group, members[key], muting, log, intervals, settings.ExternalUrl, incidents, now, cancellationToken) is not null;
                    sent |= (await flush.SaveAllAsync(cancellationToken)).OfType<OutboxMessage>().Any();
                    await transaction.CommitAsync(cancellationToken);
                    enqueued |= sent;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Flushing alert group {GroupKey} to {Receiver} failed; it is tried again at the next pass", group.GroupKey, group.Receiver);
                    db.ChangeTracker.Clear(); // what it added is not saved with the next group
                    // What the flush changed in memory was not committed: the next pass reads the store.
                    Forget();
                }
            }
        }
        foreach (var (key, group) in due)
        {
            // Flushed (or, failing, the state is forgotten): each due group's timer moved on, and its log entry's expiry with it.
            timers.Set(key, group);
            if (state?.Expiries is { } expiries && log!.TryGetValue((group.Receiver, group.GroupKey), out var entry))
            {
                expiries.Set((group.Receiver, group.GroupKey), entry);
            }
        }
        if (enqueued && committed is not { Count: > 0 })
        {
            // Deliver now, not at the sender's next poll (up to a second later).
            outbox.Wake();
        }

        await CollectGarbageAsync(db, alerts, index, groups, state, now, cancellationToken);
        return timers.Next(groups);
    }

    /// <summary>Flushes one group into the caller's unit of work (<paramref name="rows"/>, and what the incident opener adds to <paramref name="db"/>; saved and committed by the caller).</summary>
    /// <returns>The notification added to the outbox, if any.</returns>
    /// <param name="log">The remembered notification log (kept up to date here), or null to read the store's.</param>
    private static async Task<OutboxMessage?> FlushAsync(
        VigilDbContext db, DirectRows rows, AlertGroup group, GroupMembers member, AlertMuting muting, Dictionary<(string, string), NotificationLogEntry>? log,
        IReadOnlyDictionary<string, IReadOnlyList<TimeInterval>> intervals, string externalUrl, IIncidentOpener? incidents, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var route = member.Route;
        group.Receiver = route.Receiver;
        // Alertmanager's TimeActiveStage and TimeMuteStage come before dedup: inside a mute interval
        // (or outside the active ones) nothing is sent and the log keeps what the receiver was last
        // told, so the first flush after the interval sends what changed meanwhile.
        if (TimeIntervals.Mutes(route, intervals, NodaTime.Instant.FromDateTimeOffset(now)))
        {
            Flushed(rows, group, route, now);
            return null;
        }
        var entry = log is not null
            ? log.GetValueOrDefault((group.Receiver, group.GroupKey))
            : await db.Set<NotificationLogEntry>().AsNoTracking().SingleOrDefaultAsync(e => e.Receiver == group.Receiver && e.GroupKey == group.GroupKey, cancellationToken);
        var last = entry is null ? null : new LastNotification(entry.Firing, entry.Resolved, entry.Timestamp);
        var told = last?.Firing ?? new HashSet<string>();
        var notified = new List<NotifiedAlert>();
        foreach (var alert in member.Alerts.Values)
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
        OutboxMessage? enqueued = null;
        if (reason.Notifies())
        {
            // A new entry's sequence starts at the time of its first notification: a group that notifies
            // again after its entry expired (LogRetention) with the same alerts must not reuse a key of
            // the notifications before, which the outbox keeps longer (notifications.history_retention)
            // and would take for this one, so the page would never go out.
            var sequence = entry is null ? now.ToUnixTimeMilliseconds() : entry.Sequence + 1;
            var notification = new NotificationGroup(route.Receiver, route.Key, member.GroupLabels, notified, externalUrl);
            var key = IdempotencyKey(route.Receiver, group.GroupKey, firing, resolvedSet, sequence);
            // The same notification again is not sent twice: over replicas, a dispatcher that took over
            // from one that committed it may compute it again from the same log. Remembered, the log is
            // the committed one, and this process wrote every key that follows from it: none can exist.
            if (log is not null || !await db.Set<OutboxMessage>().AnyAsync(m => m.IdempotencyKey == key, cancellationToken))
            {
                enqueued = NotificationOutbox.Message(NotificationRequest.For(route.Receiver, notification, route.Key), key, now);
                rows.Insert(enqueued);
            }
            if (entry is null)
            {
                entry = new NotificationLogEntry { Receiver = route.Receiver, GroupKey = group.GroupKey, FiringJson = "[]", ResolvedJson = "[]" };
                rows.Insert(entry);
                log?.Add((entry.Receiver, entry.GroupKey), entry);
            }
            entry.FiringJson = System.Text.Json.JsonSerializer.Serialize(firing.Order(StringComparer.Ordinal));
            entry.ResolvedJson = System.Text.Json.JsonSerializer.Serialize(resolvedSet.Order(StringComparer.Ordinal));
            entry.Timestamp = now;
            entry.Sequence = sequence;
            entry.ExpiresAt = now + LogRetention;
            rows.Update(entry, LogWrites);
            foreach (var alert in notification.Alerts)
            {
                rows.Insert(new AlertEvent
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
        Flushed(rows, group, route, now);
        return enqueued;
    }

    /// <summary>What a notification sets of its group's log entry.</summary>
    private static readonly string[] LogWrites =
    [
        nameof(NotificationLogEntry.FiringJson), nameof(NotificationLogEntry.ResolvedJson), nameof(NotificationLogEntry.Timestamp),
        nameof(NotificationLogEntry.Sequence), nameof(NotificationLogEntry.ExpiresAt),
    ];

    /// <summary>What a flush sets of its group.</summary>
    private static readonly string[] FlushWrites =
        [nameof(AlertGroup.Receiver), nameof(AlertGroup.LastFlushAt), nameof(AlertGroup.OpenIncident), nameof(AlertGroup.NextFlushAt)];

    private static void Flushed(DirectRows rows, AlertGroup group, RouteNode route, DateTimeOffset now)
    {
        group.LastFlushAt = now;
        group.OpenIncident = route.OpenIncident;
        // aggrGroup.run: after a flush the timer is reset to group_interval.
        group.NextFlushAt = now + route.GroupInterval;
        rows.Update(group, FlushWrites);
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
    public static async Task<AlertMuting> MutingAsync(VigilDbContext db, IReadOnlyCollection<StoredAlert> alerts, RoutingSettings settings, ActiveMaintenanceSource maintenance, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await MutingInputs.ReadAsync(db, maintenance, settings.DependencySuppression, now, cancellationToken)).Muting(alerts, settings, now);

    /// <summary>
    /// What mutes alerts besides the alerts themselves, as stored: the silences not ended, the
    /// maintenance windows (compiled), and the catalog's dependencies when dependency suppression is on.
    /// </summary>
    public sealed record MutingInputs(
        long Version, DateTimeOffset ReadAt, bool WithDependencies, List<Silences.Silence> Silences,
        List<(MaintenanceWindow Window, WindowSchedule? Schedule)> Windows, IReadOnlyDictionary<string, IReadOnlyList<string>>? Dependencies)
    {
        /// <summary>Moves whenever this process commits a change to silences, maintenance windows or the catalog (<see cref="SavedTypes"/>).</summary>
        public static long CurrentVersion =>
            SavedTypes.Version(typeof(Silences.Silence)) + SavedTypes.Version(typeof(MaintenanceWindow)) + SavedTypes.Version(typeof(Catalog.Service));

        public static async Task<MutingInputs> ReadAsync(VigilDbContext db, ActiveMaintenanceSource maintenance, bool withDependencies, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var version = CurrentVersion;
            var silences = await db.Set<Silences.Silence>().AsNoTracking().Where(s => s.EndsAt > now).ToListAsync(cancellationToken);
            var windows = await maintenance.WindowsAsync(db, cancellationToken);
            var dependencies = withDependencies ? await DependencyMap.LoadAsync(db, cancellationToken) : null;
            return new MutingInputs(version, now, withDependencies, silences, windows, dependencies);
        }

        /// <summary>Whether these inputs still hold at <paramref name="now"/>: nothing was saved since, and the clock did not go back past their read.</summary>
        public bool Current(bool withDependencies, DateTimeOffset now) => Version == CurrentVersion && WithDependencies == withDependencies && now >= ReadAt;

        public AlertMuting Muting(IReadOnlyCollection<StoredAlert> alerts, RoutingSettings settings, DateTimeOffset now)
        {
            var rules = InhibitRule.Of(settings);
            var active = Silences.Where(s => s.StateAt(now) == Alerting.Silences.SilenceState.Active).Select(s => new ActiveSilence(s.SilenceId, s.Matchers())).ToList();
            // Without a dependency between services (or a rule to apply) nothing can be suppressed.
            var dependencies = settings.DependencySuppression && Dependencies is not null && rules.Dependency.Count > 0 && Dependencies.Values.Any(d => d.Count > 0)
                ? new DependencySuppression(Dependencies, rules.Dependency)
                : null;
            // The other alerts matter only as sources of inhibition or suppression: without those rules none are looked at.
            List<AlertView> views = rules.Inhibit.Count == 0 && dependencies is null
                ? []
                : [.. alerts.Select(a => new AlertView(a.Fingerprint, a.Labels, !a.IsResolvedAt(now)))];
            return new AlertMuting(views, active, rules.Inhibit, ActiveMaintenanceSource.ActiveAt(Windows, now), dependencies);
        }
    }

    /// <summary>
    /// A resolved alert is removed once every group it belongs to has flushed since it resolved
    /// (aggrGroup.flush's <c>DeleteIfNotModified</c>): only if the source has not updated it meanwhile.
    /// </summary>
    private async Task CollectGarbageAsync(
        VigilDbContext db, Dictionary<string, StoredAlert> alerts, GroupMembership index, Dictionary<(string, string), AlertGroup> groups,
        Remembered? state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Remembered, the alerts' ends and the log's expiries are kept in time order: a pass looks only
        // at what resolved or expired, not at every alert and entry stored. Read from the store, they
        // are ordered here.
        DueNotes<string, StoredAlert>? ends = null;
        List<StoredAlert> resolved;
        if (state is null)
        {
            resolved = [.. alerts.Values.Where(a => a.IsResolvedAt(now))];
        }
        else
        {
            ends = state.Ends ??= DueNotes<string, StoredAlert>.Of(alerts, a => a.EndsAt);
            resolved = [.. ends.TakeDue(alerts, now).Select(d => d.Value)];
        }
        var gone = new List<StoredAlert>();
        foreach (var alert in resolved)
        {
            // Flushed after the resolution arrived: a flush at the same instant may have run before it.
            var flushed = index.GroupsOf[alert.Fingerprint].All(r => groups.TryGetValue(r.Key, out var g) && g.LastFlushAt >= alert.EndsAt && g.LastFlushAt > alert.UpdatedAt);
            if (flushed)
            {
                gone.Add(alert);
            }
            else
            {
                // Looked at again by the next pass, until its groups flushed.
                ends?.Set(alert.Fingerprint, alert);
            }
        }
        // Remembered, the log says itself whether an entry expired; a pass need not ask the store every time.
        List<KeyValuePair<(string, string), NotificationLogEntry>>? expired = null;
        if (state is not null)
        {
            state.Expiries ??= DueNotes<(string, string), NotificationLogEntry>.Of(state.Log, e => e.ExpiresAt);
            // Expired is strictly before now.
            expired = state.Expiries.TakeDue(state.Log, now - TimeSpan.FromTicks(1));
        }
        var expire = expired is null || expired.Count > 0;
        if (gone.Count == 0 && !expire)
        {
            return;
        }
        var removed = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // One transaction when alerts go: a reader finds a resolved alert either stored, or gone
            // with its "resolved" history row, never neither (each delete used to commit on its own,
            // before the row). The log's expired entries alone (on PostgreSQL, every pass) are one statement.
            using var turn = await writes.EnterAsync(cancellationToken);
            await using var transaction = gone.Count > 0 ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
            foreach (var alert in gone)
            {
                var (fingerprint, updatedAt) = (alert.Fingerprint, alert.UpdatedAt);
                // Only if the source has not updated it since this pass read it (DeleteIfNotModified).
                if (await db.Set<StoredAlert>().Where(a => a.Fingerprint == fingerprint && a.UpdatedAt == updatedAt).ExecuteDeleteAsync(cancellationToken) == 0)
                {
                    continue;
                }
                removed.Add(fingerprint);
                db.Add(new AlertEvent { Fingerprint = fingerprint, At = alert.EndsAt, Kind = "resolved", Status = "resolved", Detail = alert.Timeout ? "not sent again within resolve_timeout" : "resolved by its source" });
            }
            if (expire)
            {
                await db.Set<NotificationLogEntry>().Where(e => e.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
            }
            if (transaction is not null)
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch
        {
            // Nothing committed: the next pass reads the store again (the notes above were taken).
            db.ChangeTracker.Clear();
            Forget();
            throw;
        }
        foreach (var alert in gone)
        {
            if (removed.Contains(alert.Fingerprint))
            {
                alerts.Remove(alert.Fingerprint);
                index.Remove(alert.Fingerprint);
                routed.Remove(alert.Fingerprint);
            }
            else
            {
                // Updated by its source meanwhile: looked at again when it resolves.
                ends?.Set(alert.Fingerprint, alert);
            }
        }
        foreach (var (key, _) in expired ?? [])
        {
            state!.Log.Remove(key);
        }
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
