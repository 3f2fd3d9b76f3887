using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Notifications;

namespace Vigil.Features.Alerting;

/// <summary>
/// Takes alerts from every source into the state store with Alertmanager's rules
/// (api/v2 <c>postAlertsHandler</c> and <c>provider/mem</c> <c>Put</c>): a missing start is now; a
/// missing end is now + <c>resolve_timeout</c>, marked as a timeout; an alert that overlaps the
/// stored one with the same labels is merged with it (<see cref="Merge"/>). When the task
/// completes the alerts are committed, and <see cref="Received"/> wakes the dispatcher.
/// </summary>
public sealed class ReceiveAlerts(IServiceScopeFactory scopes, IServiceProvider services, ConfigReloader config, TimeProvider clock, ILogger<ReceiveAlerts> logger) : IAlertIngest
{
    // Resolved on first use: the dispatcher's outbox sender reports channel failures through this ingest.
    private Dispatch.DispatchAlerts Dispatcher => field ??= services.GetRequiredService<Dispatch.DispatchAlerts>();

    /// <summary>
    /// Raised after every commit made around the dispatcher (a resend that changed nothing too): it
    /// wakes the dispatcher. The commit itself recorded the arrivals in the alerts' history.
    /// </summary>
    public event Action? Received;

    public async Task PutAsync(IReadOnlyList<IncomingAlert> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var resolveTimeout = config.Current.Config.Routing.ResolveTimeout;
        // The last of several alerts with the same labels in one batch wins, as in a sequence of puts.
        List<StoredAlert> Incoming() => [.. alerts.Select(a => Normalize(a, now, resolveTimeout)).GroupBy(a => a.Fingerprint).Select(g => g.Last())];
        var incoming = Incoming();
        if (Dispatcher.TakesIngest)
        {
            // One process: the alerts commit with the dispatcher pass that routes and flushes them.
            await Dispatcher.IngestAsync(incoming, logger, cancellationToken);
            return;
        }
        var fingerprints = incoming.Select(a => a.Fingerprint).ToList();
        // Two writers (Prometheus HA pairs send the same alerts to every receiver at once) may both
        // find a new alert missing and insert it, and the dispatcher may delete a resolved alert
        // between our read and our update (its garbage collection): the loser reads again (fresh
        // rows, a fresh context) and merges into the winner's row, or inserts anew.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SaveAsync(attempt == 1 ? incoming : Incoming(), fingerprints, now, cancellationToken);
                break;
            }
            catch (DbUpdateException e) when (attempt < 3 && (DbErrors.IsUniqueViolation(e) || e is DbUpdateConcurrencyException))
            {
            }
        }
        // Written around the dispatcher (over replicas, or from inside one of its passes): what it
        // remembers, if anything, is read from the store again.
        Dispatcher.Forget();
        Received?.Invoke();
    }

    private async Task SaveAsync(List<StoredAlert> incoming, List<string> fingerprints, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var existing = await db.Set<StoredAlert>().AsNoTracking().Where(a => fingerprints.Contains(a.Fingerprint)).ToDictionaryAsync(a => a.Fingerprint, cancellationToken);
        var writes = new DirectRows(db);
        Apply(writes, existing, incoming, now, logger);
        await writes.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Puts <paramref name="incoming"/> into <paramref name="existing"/> (by fingerprint, alerts as
    /// stored, not tracked) and into <paramref name="writes"/>, merging with the stored alert where
    /// they overlap.
    /// </summary>
    public static void Apply(DirectRows writes, Dictionary<string, StoredAlert> existing, List<StoredAlert> incoming, DateTimeOffset now, ILogger logger)
    {
        foreach (var alert in incoming)
        {
            if (existing.TryGetValue(alert.Fingerprint, out var old))
            {
                var merged = Overlaps(old, alert) ? Merge(old, alert) : alert;
                Hosting.OperatorLog.AlertChanged(logger, alert.Labels, !old.IsResolvedAt(now), !merged.IsResolvedAt(now));
                var flipped = old.IsResolvedAt(now) != merged.IsResolvedAt(now);
                (old.AnnotationsJson, old.StartsAt, old.EndsAt, old.Timeout, old.UpdatedAt, old.GeneratorUrl, old.Source) =
                    (merged.AnnotationsJson, merged.StartsAt, merged.EndsAt, merged.Timeout, merged.UpdatedAt, merged.GeneratorUrl, merged.Source);
                writes.Update(old, Merged);
                if (flipped)
                {
                    Arrived(writes, old, now);
                }
            }
            else
            {
                Hosting.OperatorLog.AlertChanged(logger, alert.Labels, false, !alert.IsResolvedAt(now));
                writes.Insert(alert);
                existing[alert.Fingerprint] = alert;
                Arrived(writes, alert, now);
            }
        }
    }

    /// <summary>What a merge sets of a stored alert (its labels, and so its fingerprint, stay).</summary>
    private static readonly string[] Merged =
    [
        nameof(StoredAlert.AnnotationsJson), nameof(StoredAlert.StartsAt), nameof(StoredAlert.EndsAt), nameof(StoredAlert.Timeout),
        nameof(StoredAlert.UpdatedAt), nameof(StoredAlert.GeneratorUrl), nameof(StoredAlert.Source),
    ];

    /// <summary>
    /// Records an arrival that made an alert new, or turned it from firing to resolved or back, in the
    /// alert's history: in the same unit of work as the alert, with the state it arrived in.
    /// </summary>
    private static void Arrived(DirectRows writes, StoredAlert alert, DateTimeOffset now) =>
        writes.Insert(new Dispatch.AlertEvent { Fingerprint = alert.Fingerprint, At = alert.UpdatedAt, Kind = "received", Status = alert.IsResolvedAt(now) ? "resolved" : "firing", Detail = alert.Source });

    private static StoredAlert Normalize(IncomingAlert alert, DateTimeOffset now, TimeSpan resolveTimeout)
    {
        // api/v2: "if startsAt is zero, set it to now"; "if endsAt is zero, set it to now + resolve_timeout
        // and mark it as a timeout"; an end before the start is refused by the API before this point.
        var startsAt = alert.StartsAt ?? now;
        return new StoredAlert
        {
            Fingerprint = AlertFingerprint.Of(alert.Labels),
            LabelsJson = StoredAlert.Encode(alert.Labels),
            AnnotationsJson = StoredAlert.Encode(alert.Annotations),
            StartsAt = startsAt,
            EndsAt = alert.EndsAt ?? now + resolveTimeout,
            Timeout = alert.EndsAt is null,
            UpdatedAt = now,
            GeneratorUrl = alert.GeneratorUrl,
            Source = alert.Source,
        };
    }

    /// <summary>
    /// Alertmanager's provider/mem <c>Put</c>: merge only when the new alert's end or start falls
    /// strictly inside the stored one's active range; otherwise the new alert replaces it.
    /// </summary>
    public static bool Overlaps(StoredAlert old, StoredAlert alert) =>
        (alert.EndsAt > old.StartsAt && alert.EndsAt < old.EndsAt) || (alert.StartsAt > old.StartsAt && alert.StartsAt < old.EndsAt);

    /// <summary>
    /// Alertmanager's <c>Alert.Merge</c>: the younger alert wins, with the earliest start; if it is
    /// resolved, the latest explicit resolution wins; if not, a later end that is not a timeout wins.
    /// </summary>
    public static StoredAlert Merge(StoredAlert a, StoredAlert o)
    {
        if (o.UpdatedAt < a.UpdatedAt)
        {
            return Merge(o, a);
        }
        var result = Copy(o);
        if (a.StartsAt < o.StartsAt)
        {
            result.StartsAt = a.StartsAt;
        }
        var now = o.UpdatedAt;
        if (o.IsResolvedAt(now))
        {
            if (a.IsResolvedAt(now) && a.EndsAt > o.EndsAt)
            {
                result.EndsAt = a.EndsAt;
            }
        }
        else if (a.EndsAt > o.EndsAt && !a.Timeout)
        {
            result.EndsAt = a.EndsAt;
        }
        return result;
    }

    private static StoredAlert Copy(StoredAlert o) => new()
    {
        Fingerprint = o.Fingerprint,
        LabelsJson = o.LabelsJson,
        AnnotationsJson = o.AnnotationsJson,
        StartsAt = o.StartsAt,
        EndsAt = o.EndsAt,
        Timeout = o.Timeout,
        UpdatedAt = o.UpdatedAt,
        GeneratorUrl = o.GeneratorUrl,
        Source = o.Source,
    };
}
