using System.Security.Cryptography;
using System.Text;
using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Alerting.Evaluation;

/// <summary>
/// Evaluates one rule group on its interval, as Prometheus's <c>Group.run</c> (rules/manager.go):
/// at slots aligned to the interval with a per-group offset, skipping (and counting) slots that
/// were missed; after each evaluation the alerts that need it go to the dispatcher; after the
/// second evaluation following a start, alert <c>for</c> state is restored from <c>ALERTS_FOR_STATE</c>.
/// Over several replicas a slot is evaluated only by the holder of the group's lease
/// (<paramref name="hold"/>); a replica that takes the lease over starts as after a restart: no
/// alerts in memory, <c>for</c> state restored from <c>ALERTS_FOR_STATE</c>.
/// </summary>
public sealed class RuleGroupLoop(
    RuleGroup group,
    TimeSpan interval,
    ISampleStore store,
    PromQLEngine engine,
    IAlertIngest ingest,
    TimeProvider clock,
    AlertingSettings settings,
    bool restore,
    Func<IReadOnlyList<AlertStateChange>, CancellationToken, Task> recordChanges,
    ILogger logger,
    Func<CancellationToken, Task<Cluster.LeaseGrant?>>? hold = null)
{
    private readonly Labels externalLabels = Labels.From(settings.ExternalLabels.Select(kv => new Label(kv.Key, kv.Value)));
    private readonly string externalUrl = settings.ExternalUrl ?? "";
    private long evaluations;
    private DateTimeOffset? lastEvaluation;
    private TimeSpan lastDuration;

    public RuleGroupEvaluator Evaluator { get; } = new(group, store, engine,
        Labels.From(settings.ExternalLabels.Select(kv => new Label(kv.Key, kv.Value))), settings.ExternalUrl ?? "");

    public RuleGroup Group => group;

    public TimeSpan Interval => interval;

    public long MissedIterations { get; private set; }

    public RuleGroupSnapshot Snapshot { get; private set; } = new(group, interval, 0, null, TimeSpan.Zero,
        [.. group.Rules.Select(r => new RuleSnapshot(r, null, []))]);

    /// <summary>
    /// Prometheus's <c>Group.EvalTimestamp</c>: the latest slot at or before <paramref name="nowMs"/>,
    /// slots being <c>offset + k × interval</c> with an offset derived from the group's file and
    /// name, so groups spread over the interval and a group keeps its slots across restarts.
    /// </summary>
    public static long EvalTimestamp(long nowMs, TimeSpan interval, string file, string name)
    {
        var step = (long)interval.TotalMilliseconds;
        var hash = BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{file}\xff{name}")), 0);
        var offset = (long)(hash % (ulong)step);
        var adjusted = nowMs - offset;
        return adjusted - (((adjusted % step) + step) % step) + offset;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var step = (long)interval.TotalMilliseconds;
        var evalMs = EvalTimestamp(clock.GetUtcNow().ToUnixTimeMilliseconds(), interval, group.File, group.Name) + step;
        foreach (var state in Evaluator.AlertStates)
        {
            state.Restored = !restore || state.Rule.For == TimeSpan.Zero;
        }
        var pendingRestore = restore && Evaluator.AlertStates.Any(s => !s.Restored);
        var restoreAfter = 2;
        var lostLease = false;
        while (!stopping.IsCancellationRequested)
        {
            var wait = DateTimeOffset.FromUnixTimeMilliseconds(evalMs) - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stopping);
            }
            // rules/manager.go: slots that passed while the previous evaluation ran are skipped
            // ("missed := (time.Since(evalTimestamp) / g.interval) - 1"), counted, and not caught up.
            var missed = Math.Max(0, (clock.GetUtcNow().ToUnixTimeMilliseconds() - evalMs) / step);
            if (missed > 0)
            {
                MissedIterations += missed;
                evalMs += missed * step;
            }
            var grant = hold is null ? null : await hold(stopping);
            if (hold is not null && grant is null)
            {
                // Another replica evaluates this group.
                lostLease = true;
                evalMs += step;
                continue;
            }
            if (lostLease)
            {
                // Taken over: what this replica last knew is stale; start as after a restart.
                lostLease = false;
                foreach (var state in Evaluator.AlertStates)
                {
                    state.Clear();
                    state.Restored = state.Rule.For == TimeSpan.Zero;
                }
                pendingRestore = Evaluator.AlertStates.Any(s => !s.Restored);
                restoreAfter = 2;
            }
            using (grant is null ? null : Cluster.LeaseFence.Enter(grant))
            {
                await IterateAsync(evalMs, stopping);
            }
            if (pendingRestore && --restoreAfter == 0)
            {
                Restore(clock.GetUtcNow().ToUnixTimeMilliseconds());
                pendingRestore = false;
                Snapshot = TakeSnapshot();
            }
            evalMs += step;
        }
    }

    /// <summary>One evaluation at <paramref name="evalMs"/>: rules, then the alerts to send.</summary>
    public async Task IterateAsync(long evalMs, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var before = Evaluator.AlertStates.ToDictionary(s => s, s => (IReadOnlyDictionary<Labels, AlertPhase>)s.Alerts.ToDictionary(a => a.Labels, a => a.Phase));
        foreach (var error in await Evaluator.EvaluateAsync(evalMs, cancellationToken))
        {
            logger.LogWarning("Rule evaluation failed: {Error}", error);
        }
        var at = DateTimeOffset.FromUnixTimeMilliseconds(evalMs);
        var changes = Evaluator.AlertStates.SelectMany(s => AlertStateChange.Between(group, s, before[s], at)).ToList();
        if (changes.Count > 0)
        {
            try
            {
                await recordChanges(changes, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not record {Count} alert state changes of group {Group}", changes.Count, group.Name);
            }
        }
        var alerts = new List<IncomingAlert>();
        foreach (var state in Evaluator.AlertStates)
        {
            var url = SendAlerts.GeneratorUrl(externalUrl, state.Rule.ExprText);
            alerts.AddRange(SendAlerts.Select(state, evalMs, settings.ResendDelay, interval, externalLabels, url, group.Source));
        }
        if (alerts.Count > 0)
        {
            try
            {
                await ingest.PutAsync(alerts, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Sent again at the next resend; their end time covers four missed sends.
                logger.LogError(e, "Could not hand {Count} alerts of group {Group} to the dispatcher", alerts.Count, group.Name);
            }
        }
        lastDuration = watch.Elapsed;
        lastEvaluation = started;
        evaluations++;
        Snapshot = TakeSnapshot();
    }

    /// <summary>rules/manager.go <c>RestoreForState</c>: each active alert gets back the <c>ActiveAt</c> it had before the restart.</summary>
    public void Restore(long nowMs)
    {
        foreach (var state in Evaluator.AlertStates.Where(s => !s.Restored))
        {
            var series = store.Select(nowMs - (long)settings.ForOutageTolerance.TotalMilliseconds, nowMs,
                [LabelMatcher.Equal(Label.MetricName, "ALERTS_FOR_STATE"), LabelMatcher.Equal("alertname", state.Rule.Alert!)]);
            var last = series.Where(s => s.Samples.Count > 0)
                .ToDictionary(s => s.Labels.WithoutMetricName(), s => s.Samples[^1]);
            foreach (var alert in state.Alerts.Where(a => a.Phase == AlertPhase.Pending))
            {
                if (last.TryGetValue(alert.Labels, out var sample) && !double.IsNaN(sample.Value))
                {
                    alert.ActiveAtMs = RestoreForState.ActiveAt((long)(sample.Value * 1000), sample.TimestampMs, nowMs, state.Rule.For, settings.ForGracePeriod);
                    logger.LogInformation("Restored the for state of alert {Labels} (active since {ActiveAt})", alert.Labels, DateTimeOffset.FromUnixTimeMilliseconds(alert.ActiveAtMs));
                }
            }
            state.Restored = true;
        }
    }

    private RuleGroupSnapshot TakeSnapshot()
    {
        static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
        var rules = group.Rules.Select(rule => new RuleSnapshot(
            rule,
            Evaluator.Health.GetValueOrDefault(rule),
            rule.Alert is null ? [] : [.. Evaluator.StateOf(rule).Alerts.Select(a => new AlertSnapshot(
                a.Labels, a.Annotations, a.Phase, a.Value, DateTimeOffset.FromUnixTimeMilliseconds(a.ActiveAtMs),
                At(a.FiredAtMs), At(a.ResolvedAtMs), At(a.LastSentAtMs)))]));
        return new RuleGroupSnapshot(group, interval, evaluations, lastEvaluation, lastDuration, [.. rules]);
    }
}
