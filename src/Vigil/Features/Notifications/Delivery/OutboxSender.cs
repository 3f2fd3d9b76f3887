using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Cluster;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Outbox;
using Vigil.Features.Templates;
using Vigil.Hosting;

namespace Vigil.Features.Notifications.Delivery;

/// <summary>
/// Delivers the outbox: picks due messages, sends each through its channel, records every attempt,
/// and schedules a failed one again (<see cref="RetryPolicy"/>) until its deadline. Each channel
/// drains on its own task, so a slow or failing channel never holds up the others; within a
/// channel, the notifications of different groups go out together (a group's own in order). At
/// least once: a message stays due until an attempt is recorded, so one that was in flight when
/// the process died is sent again after the restart — with the same idempotency key.
/// Over several replicas only the holder of the <c>notifications/outbox</c> lease sends, and it
/// claims each message before sending it (<see cref="ClaimAsync"/>), in a transaction fenced by its
/// lease token: a replica that lost the lease while paused cannot claim, and one that claimed does
/// not send once its claim may have lapsed, so no two replicas send one idempotency key.
/// </summary>
public sealed class OutboxSender(
    IServiceScopeFactory scopes, ChannelDirectory directory, IEnumerable<INotificationChannel> kinds, ChannelFailureAlerts failures,
    ClusterMembership cluster, WriteTurn writes, TimeProvider clock, Random random, ILogger<OutboxSender> logger) : BackgroundService
{
    public const string Lease = "notifications/outbox";
    // A claim is judged in real time: it must hold across replicas, whatever clock the loops run on.
    private static readonly TimeProvider RealTime = TimeProvider.System;
    /// <summary>How far apart replicas' clocks may be (the claim's expiry is written on the claimer's clock).</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(2);

    /// <summary>How often the outbox is looked at when nothing wakes the sender.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const int Batch = 50;
    /// <summary>How an attempt's error starts when the channel's template failed and the default layout was sent.</summary>
    public const string RenderFailure = "the channel's template failed, sent with the default layout: ";
    /// <summary>At most this many messages of one channel in flight at once (of different groups).</summary>
    public const int MaxParallel = 8;

    private readonly Dictionary<string, INotificationChannel> byType = kinds.ToDictionary(k => k.Type, StringComparer.Ordinal);
    private readonly Dictionary<string, Task> draining = new(StringComparer.Ordinal);

    /// <summary>Draining channels that messages came due for while they drained; guarded by <see cref="draining"/>.</summary>
    private readonly HashSet<string> recheck = new(StringComparer.Ordinal);

    /// <summary>
    /// Channels whose running drain was started by <see cref="Deliver"/>: it sends what it is handed and
    /// reads nothing from the outbox, so messages handed while it runs can be given to it
    /// (<see cref="handedLater"/>) with no risk of being read and sent twice. Guarded by <see cref="draining"/>.
    /// </summary>
    private readonly HashSet<string> handedDrains = new(StringComparer.Ordinal);

    /// <summary>Messages handed to a channel's running handed drain, which sends them next; guarded by <see cref="draining"/>.</summary>
    private readonly Dictionary<string, List<OutboxMessage>> handedLater = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelRateLimit> limits = new(StringComparer.Ordinal);
    private readonly WakeSignal wake = new();

    private CancellationToken stopping = new(canceled: true);

    /// <summary>Looks at the outbox now (after an enqueue) instead of at the next poll.</summary>
    public void Wake() => wake.Set();

    /// <summary>
    /// Sends messages the caller just committed without reading them back: a channel that is not
    /// draining starts a drain with them at once, on the caller's thread until the first send waits
    /// for its answer (a hand-off to another thread cost a wake-up, 0.1 ms and at times 3 ms, before
    /// the page left); a draining one finds them when it looks again (it does as it ends). One process
    /// only: over several replicas a message is claimed before it is sent, and the sender looks at the
    /// outbox as usual.
    /// </summary>
    public void Deliver(IReadOnlyList<OutboxMessage> committed)
    {
        if (!cluster.SingleProcess || stopping.IsCancellationRequested)
        {
            Wake();
            return;
        }
        var starts = new List<(string Channel, List<OutboxMessage> Messages, TaskCompletionSource Done)>();
        lock (draining)
        {
            // One due later (a delayed page) is found by the sender's poll at its time.
            var now = clock.GetUtcNow();
            foreach (var channel in committed.Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now).GroupBy(m => m.Channel, StringComparer.Ordinal))
            {
                List<OutboxMessage> ordered = [.. channel.OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)];
                if (handedDrains.Contains(channel.Key))
                {
                    // The channel's drain is sending what an earlier commit handed it (the last alert's
                    // webhook, still being recorded): it sends these next, without reading the outbox.
                    if (handedLater.TryGetValue(channel.Key, out var later))
                    {
                        later.AddRange(ordered);
                    }
                    else
                    {
                        handedLater[channel.Key] = ordered;
                    }
                }
                else if (draining.ContainsKey(channel.Key))
                {
                    // The drain may have read its batch before these committed: it looks again as it ends.
                    recheck.Add(channel.Key);
                }
                else
                {
                    handedDrains.Add(channel.Key);
                    starts.Add((channel.Key, ordered, RegisterDrainLocked(channel.Key)));
                }
            }
        }
        // The drain is the sender's work, not the caller's: nothing of the caller's context (a pass's
        // flags, a lease fence) goes past its first wait, and nothing it sets comes back.
        using (ExecutionContext.SuppressFlow())
        {
            foreach (var (channel, messages, done) in starts)
            {
                _ = RunDrainAsync(channel, messages, done, stopping);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stopping = stoppingToken;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await cluster.HoldAsync(Lease, stoppingToken) is { } grant)
                {
                    // The drains started here carry the grant: their writes are fenced by it.
                    using var fence = LeaseFence.Enter(grant);
                    await StartDueChannelsAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Reading the notification outbox failed");
            }
            await wake.SleepAsync(PollInterval, clock, stoppingToken);
        }
        Task[] running;
        lock (draining)
        {
            running = [.. draining.Values];
        }
        await Task.WhenAll(running);
    }

    private async Task StartDueChannelsAsync(CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var due = await db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now)
            .Select(m => m.Channel).Distinct().ToListAsync(stoppingToken);
        lock (draining)
        {
            foreach (var channel in due)
            {
                if (draining.ContainsKey(channel))
                {
                    // Due messages the running drain may not have read: it looks again as it ends.
                    recheck.Add(channel);
                }
                else
                {
                    var done = RegisterDrainLocked(channel);
                    _ = Task.Run(() => RunDrainAsync(channel, null, done, stoppingToken), CancellationToken.None);
                }
            }
        }
    }

    /// <summary>Marks <paramref name="channel"/> as draining until the returned task completes (<see cref="RunDrainAsync"/>); the caller holds <see cref="draining"/>.</summary>
    private TaskCompletionSource RegisterDrainLocked(string channel)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        draining[channel] = done.Task;
        return done;
    }

    /// <summary>Drains <paramref name="channel"/>, first with <paramref name="handed"/> when given (see <see cref="Deliver"/>), then ends its turn (<see cref="RegisterDrainLocked"/>).</summary>
    private async Task RunDrainAsync(string channel, List<OutboxMessage>? handed, TaskCompletionSource done, CancellationToken stoppingToken)
    {
        var ended = false;
        var again = false;
        try
        {
            while (true)
            {
                await DrainAsync(channel, handed, stoppingToken);
                lock (draining)
                {
                    // A handed drain goes on with what was handed to it meanwhile (Deliver); the decision
                    // and the end are one step, so nothing is handed to a drain that has ended.
                    if (handed is not null && handedLater.Remove(channel, out var more))
                    {
                        handed = more;
                        continue;
                    }
                    again = EndDrainLocked(channel);
                    ended = true;
                    break;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Delivering to channel {Channel} failed", channel);
        }
        finally
        {
            if (!ended)
            {
                lock (draining)
                {
                    // Failed: what was handed meanwhile is still pending in the outbox, and read when the sender looks again.
                    if (handedLater.ContainsKey(channel))
                    {
                        Wake();
                    }
                    EndDrainLocked(channel);
                }
            }
            done.SetResult();
        }
        if (ended && again)
        {
            // Messages came due while this drain ran (their wake-up found the channel draining): look at the outbox again.
            Wake();
        }
    }

    /// <summary>Ends <paramref name="channel"/>'s drain; whether messages came due meanwhile (<see cref="recheck"/>). The caller holds <see cref="draining"/>.</summary>
    private bool EndDrainLocked(string channel)
    {
        draining.Remove(channel);
        handedDrains.Remove(channel);
        handedLater.Remove(channel);
        return recheck.Remove(channel);
    }

    /// <summary>Sends the channel's due messages, in waves (see <see cref="NextWave"/>), within its rate limit.</summary>
    private async Task DrainAsync(string channel, List<OutboxMessage>? handed, CancellationToken stoppingToken)
    {
        while (await DrainBatchAsync(channel, handed, stoppingToken))
        {
            handed = null;
        }
    }

    /// <param name="handed">Messages just committed (see <see cref="Deliver"/>), sent instead of reading the due ones.</param>
    /// <returns>Whether there may be more due messages.</returns>
    private async Task<bool> DrainBatchAsync(string channel, List<OutboxMessage>? handed, CancellationToken stoppingToken)
    {
        await using var unit = new DrainUnit(scopes, handed);
        var now = clock.GetUtcNow();
        var messages = handed ?? await unit.Db.Set<OutboxMessage>()
            .Where(m => m.Channel == channel && m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Take(Batch).ToListAsync(stoppingToken);
        var definition = await directory.FindAsync(channel, stoppingToken);
        var limit = RateLimitOf(channel);
        var rest = new Queue<OutboxMessage>(messages);
        while (rest.Count > 0)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            var free = limit.NextFree(definition?.RateLimit ?? 0, clock.GetUtcNow());
            if (free > clock.GetUtcNow())
            {
                // Over the limit: the rest waits, in order, without counting as failures.
                var db = unit.Tracking;
                foreach (var waiting in rest.Where(m => m.NextAttemptAt < free))
                {
                    waiting.NextAttemptAt = free;
                }
                await db.SaveChangesAsync(CancellationToken.None);
                return false;
            }
            var available = limit.Available(definition?.RateLimit ?? 0, clock.GetUtcNow());
            await DeliverAsync(unit, NextWave(rest, Math.Min(available, MaxParallel)), definition, limit, stoppingToken);
        }
        // After handed messages the drain ends, and looks at the outbox once more as it does (Wake).
        return handed is null && messages.Count == Batch;
    }

    /// <summary>
    /// The messages sent at the same time: the oldest due message of each aggregation group, up to
    /// <paramref name="size"/> (<see cref="MaxParallel"/>, or fewer when the channel's rate limit
    /// allows fewer), as Alertmanager's groups notify a receiver independently. Two messages of one
    /// group never go at once, so a group's notifications arrive in the order they were written.
    /// </summary>
    private static List<OutboxMessage> NextWave(Queue<OutboxMessage> rest, int size)
    {
        var groups = new HashSet<string>(StringComparer.Ordinal);
        var wave = new List<OutboxMessage>();
        var later = new List<OutboxMessage>();
        while (rest.Count > 0 && wave.Count < size)
        {
            var message = rest.Dequeue();
            (groups.Add(message.GroupKey) ? wave : later).Add(message);
        }
        // What was passed over goes first again, so the order is kept.
        var remaining = later.Concat(rest).ToList();
        rest.Clear();
        foreach (var message in remaining)
        {
            rest.Enqueue(message);
        }
        return wave;
    }

    private ChannelRateLimit RateLimitOf(string channel)
    {
        lock (limits)
        {
            return limits.TryGetValue(channel, out var limit) ? limit : limits[channel] = new ChannelRateLimit();
        }
    }

    /// <summary>What a delivery's record changes of its message.</summary>
    private static readonly string[] Recorded =
        [nameof(OutboxMessage.Status), nameof(OutboxMessage.Attempts), nameof(OutboxMessage.DeliveredAt), nameof(OutboxMessage.NextAttemptAt), nameof(OutboxMessage.LastError)];

    /// <summary>Sends a wave at once, then records every attempt in one transaction.</summary>
    private async Task DeliverAsync(DrainUnit unit, List<OutboxMessage> wave, ChannelDefinition? definition, ChannelRateLimit limit, CancellationToken stoppingToken)
    {
        if (!cluster.SingleProcess && !await ClaimAsync(unit.Tracking, wave, definition, stoppingToken))
        {
            return;
        }
        var attempts = await Task.WhenAll(wave.Select(message => AttemptAsync(message, definition, stoppingToken)));
        // Made only now for a handed batch, so nothing but the send itself stands before the page goes out.
        var db = unit.Db;
        var settings = directory.Settings;
        // Written as two plain statements per message rather than through SaveChanges, whose change
        // tracking and update pipeline cost several times the write (DirectRows).
        var record = new DirectRows(db);
        foreach (var (message, attempt) in wave.Zip(attempts))
        {
            if (attempt is not { } made)
            {
                message.Status = OutboxStatus.Skipped;
                message.NextAttemptAt = null;
                record.Update(message, Recorded);
                continue;
            }
            var (started, duration, result) = made;
            var now = clock.GetUtcNow();
            limit.Sent(now);
            record.Insert(new DeliveryAttempt
            {
                MessageId = message.Id,
                Channel = message.Channel,
                At = started,
                DurationMs = (int)Math.Min(duration.TotalMilliseconds, int.MaxValue),
                Succeeded = result.Delivered,
                StatusCode = result.StatusCode,
                Response = Excerpt(result.Response),
                Error = result.Error is { Length: > 2000 } e ? e[..2000] : result.Error,
            });
            message.Attempts++;
            if (result.Delivered)
            {
                message.Status = OutboxStatus.Delivered;
                message.DeliveredAt = now;
                message.NextAttemptAt = null;
                message.LastError = result.TemplateFailed ? Excerpt(result.Error) : null;
                Hosting.OperatorLog.NotificationDelivered(logger, message.Id, message.Channel, message.Attempts);
            }
            else
            {
                var (decision, next) = RetryPolicy.Decide(message.CreatedAt, message.Attempts, now, settings, random.NextDouble());
                message.Status = decision == AfterFailure.GiveUp ? OutboxStatus.Failed : OutboxStatus.Pending;
                message.NextAttemptAt = next;
                message.LastError = result.Error is { Length: > 2000 } error ? error[..2000] : result.Error;
                if (decision == AfterFailure.GiveUp)
                {
                    Hosting.OperatorLog.NotificationGivenUp(logger, message.Id, message.Channel, message.Attempts, result.Error);
                }
                else
                {
                    Hosting.OperatorLog.NotificationFailed(logger, message.Id, message.Channel, message.Attempts, next, result.Error);
                }
            }
            record.Update(message, Recorded);
        }
        // Not cancellable: an attempt that was made is recorded, or the receiver would get it again after a restart.
        // Not fenced either: it was sent under a claim no other replica could take, whoever holds the lease now.
        // Synced to the disk with the next durable commit: lost in a power cut before that, the
        // message goes out again under its key, as when the process stops between send and record.
        using (LeaseFence.Suspend())
        using (var turn = await writes.EnterAsync(CancellationToken.None))
        {
            await LazilySynced.ExecuteAsync(db, turn, record);
        }
        if (unit.Tracks)
        {
            foreach (var message in wave)
            {
                // Recorded: what the unit tracks of it must not be written again by a later save.
                db.Entry(message).State = EntityState.Detached;
            }
        }
        foreach (var (message, attempt) in wave.Zip(attempts))
        {
            if (attempt is { } made && await failures.AfterAttemptAsync(message, definition, made.Result.Delivered, stoppingToken, made.Result.TemplateFailed ? made.Result.Error : null))
            {
                Wake();
            }
        }
    }

    /// <summary>
    /// Claims the wave for this replica before sending: each message's next attempt moves past the
    /// time its send may take (compare-and-set on the value read, so of two claimers one wins), in one
    /// transaction that the lease fence refuses when this replica no longer holds the lease. Messages
    /// another replica claimed first leave the wave. Then, right before sending, the claim must still
    /// be young enough that the send ends before it lapses; a replica paused after claiming sends
    /// nothing when it wakes, and the message goes out from the lease's holder once the claim lapses.
    /// </summary>
    /// <returns>Whether to send what is left in the wave.</returns>
    private async Task<bool> ClaimAsync(VigilDbContext db, List<OutboxMessage> wave, ChannelDefinition? definition, CancellationToken stoppingToken)
    {
        var timeout = definition?.Timeout ?? TimeSpan.FromSeconds(30);
        var claimFor = timeout + (2 * cluster.Ttl) + ClockSkew;
        var claimedAt = RealTime.GetTimestamp();
        var until = clock.GetUtcNow() + claimFor;
        await using (var transaction = await db.Database.BeginTransactionAsync(stoppingToken))
        {
            foreach (var message in wave.ToList())
            {
                var read = db.Entry(message).Property(m => m.NextAttemptAt).OriginalValue;
                var claimed = await db.Set<OutboxMessage>()
                    .Where(m => m.Id == message.Id && m.Status == OutboxStatus.Pending && m.NextAttemptAt == read)
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, until), stoppingToken);
                if (claimed == 1)
                {
                    db.Entry(message).Property(m => m.NextAttemptAt).OriginalValue = until;
                    message.NextAttemptAt = until;
                }
                else
                {
                    wave.Remove(message);
                    db.Entry(message).State = EntityState.Detached;
                }
            }
            await transaction.CommitAsync(stoppingToken);
        }
        if (RealTime.GetElapsedTime(claimedAt) >= claimFor - timeout - ClockSkew)
        {
            logger.LogWarning("Claimed {Count} messages of channel {Channel} too long ago to send them safely; they go out after the claim lapses", wave.Count, definition?.Name);
            return false;
        }
        return wave.Count > 0;
    }

    /// <returns>The attempt, or null when the message is not to be sent (a resolution to a channel with <c>send_resolved: false</c>).</returns>
    private async Task<(DateTimeOffset Started, TimeSpan Duration, SendResult Result)?> AttemptAsync(
        OutboxMessage message, ChannelDefinition? definition, CancellationToken stoppingToken)
    {
        var group = (message.Request ?? NotificationRequest.FromJson(message.Payload)).ToGroup();
        if (definition is { SendResolved: false } && group.Status == AlertStatus.Resolved)
        {
            return null;
        }
        var started = clock.GetUtcNow();
        var ticks = RealTime.GetTimestamp();
        var result = await SendOnceAsync(definition, new Notification(group, message.IdempotencyKey), stoppingToken);
        return (started, RealTime.GetElapsedTime(ticks), result);
    }

    private async Task<SendResult> SendOnceAsync(ChannelDefinition? definition, Notification notification, CancellationToken stoppingToken)
    {
        if (definition is null)
        {
            return SendResult.Failed("no such channel in the configuration");
        }
        if (!byType.TryGetValue(definition.Type ?? "", out var kind))
        {
            return SendResult.Failed($"unknown channel type \"{definition.Type}\"");
        }
        // The timeout bounds a wait on the network, so it runs on real time like the claim that must
        // outlast it (ClaimAsync); the injected clock schedules notifications, it does not age a request.
        using var timeout = new CancellationTokenSource(definition.Timeout, RealTime);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            try
            {
                return await kind.SendAsync(definition, notification, linked.Token);
            }
            catch (TemplateException e)
            {
                // The channel's own template failed on this message: send it in the default layout
                // rather than not at all, and say so in the attempt (the channel then raises its alert).
                var sent = await kind.SendAsync(definition.WithDefaultLayout(), notification, linked.Token);
                var reason = $"{RenderFailure}{(e is TemplateExecutionException x ? x.GoMessage("text", "", definition.Text ?? definition.Title ?? "") : e.Message)}";
                return sent with { Error = sent.Error is null ? reason : $"{reason}; {sent.Error}", TemplateFailed = true };
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            return SendResult.Failed($"timed out after {Configuration.Duration.Format(definition.Timeout)}");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            return SendResult.Failed(e.Message);
        }
    }

    /// <summary>
    /// A batch's unit of work, made when first needed: a batch handed over by <see cref="Deliver"/>
    /// is sent before one is made. Its messages are attached to it only for what changes them
    /// through the change tracker (<see cref="Tracking"/>: a claim, a wait for the rate limit); a
    /// delivery's record writes them directly (<see cref="DirectRows"/>), and attaching each handed
    /// message only to detach it after the record was 2 % of the alert path's CPU (bench/alerting).
    /// </summary>
    private sealed class DrainUnit(IServiceScopeFactory scopes, List<OutboxMessage>? handed) : IAsyncDisposable
    {
        private AsyncServiceScope? scope;
        private VigilDbContext? db;
        private bool attached;

        public VigilDbContext Db
        {
            get
            {
                if (db is null)
                {
                    scope = scopes.CreateAsyncScope();
                    db = scope.Value.ServiceProvider.GetRequiredService<VigilDbContext>();
                }
                return db;
            }
        }

        /// <summary>The unit, with a handed batch's messages attached to it (as read ones are).</summary>
        public VigilDbContext Tracking
        {
            get
            {
                if (handed is not null && !attached)
                {
                    Db.AttachRange(handed);
                    attached = true;
                }
                return Db;
            }
        }

        /// <summary>Whether the unit tracks the batch's messages: read by it, or attached for <see cref="Tracking"/>.</summary>
        public bool Tracks => handed is null || attached;

        public ValueTask DisposeAsync() => scope?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private static string? Excerpt(string? response) =>
        response is null ? null : response.Length > ChannelHttp.ResponseExcerptBytes ? response[..ChannelHttp.ResponseExcerptBytes] : response;
}
