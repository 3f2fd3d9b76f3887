using Vigil.Features.Templates;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;

namespace Vigil.Features.Alerting.Rules;

/// <summary>
/// Evaluates a rule group at one time over a sample store, as Prometheus does: rules in order,
/// each seeing what the rules before it recorded; recording rules write their result; alerting
/// rules update their alerts and write the <c>ALERTS</c> and <c>ALERTS_FOR_STATE</c> series.
/// </summary>
public sealed class RuleGroupEvaluator(RuleGroup group, ISampleStore store, PromQLEngine engine, Labels externalLabels, string externalUrl)
{
    private readonly Dictionary<Rule, AlertState> alerting = group.Rules.Where(r => r.Alert is not null).ToDictionary(r => r, r => new AlertState(r));

    public RuleGroup Group { get; } = group;

    public IEnumerable<AlertState> AlertStates => alerting.Values;

    /// <summary>The alert state of an alerting rule of this group.</summary>
    public AlertState StateOf(Rule rule) => alerting[rule];

    /// <summary>How each rule's last evaluation went (for <c>/api/rules</c>).</summary>
    public IReadOnlyDictionary<Rule, RuleHealth> Health => health;

    private readonly Dictionary<Rule, RuleHealth> health = [];

    // The series each rule wrote at its last successful evaluation, to mark stale those it no longer writes.
    private readonly Dictionary<Rule, HashSet<Labels>> previousSeries = [];

    /// <summary>Evaluates every rule at <paramref name="timeMs"/>; returns the evaluation errors (the group goes on after one).</summary>
    public async Task<IReadOnlyList<string>> EvaluateAsync(long timeMs, CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        foreach (var rule in Group.Rules)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            string? error = null;
            try
            {
                var result = Vector(engine.InstantQuery(store, rule.Expr, timeMs, cancellationToken));
                var appender = store.Appender();
                var written = new HashSet<Labels>();
                var limit = Group.Limit;
                if (rule.Record is not null)
                {
                    WriteRecorded(rule, result, timeMs, appender, written);
                    // Prometheus 2.42 rules/recording.go and alerting.go: over the group's limit, the rule fails.
                    if (limit > 0 && result.Count > limit)
                    {
                        throw new PromQLEvaluationException($"exceeded limit of {limit} with {result.Count} series");
                    }
                }
                else
                {
                    var state = alerting[rule];
                    state.Apply(result, timeMs, externalLabels, externalUrl, Query(timeMs, cancellationToken));
                    var count = state.Alerts.Count(a => a.Phase != AlertPhase.Inactive);
                    if (limit > 0 && count > limit)
                    {
                        state.Clear();
                        throw new PromQLEvaluationException($"exceeded limit of {limit} with {count} alerts");
                    }
                    WriteAlertSeries(state, timeMs, appender, written);
                }
                // Prometheus (rules/manager.go, Group.Eval) marks a series stale as soon as its rule
                // stops writing it, so a recorded series or ALERTS{alertstate="pending"} does not
                // linger for the 5m lookback; a failed evaluation keeps the previous set.
                foreach (var gone in previousSeries.GetValueOrDefault(rule, []).Where(l => !written.Contains(l)))
                {
                    appender.Append(gone, timeMs, Sample.StaleNaN);
                }
                previousSeries[rule] = written;
                await appender.CommitAsync(cancellationToken);
            }
            catch (Exception e) when (e is PromQLEvaluationException or TemplateException)
            {
                error = e.Message;
                errors.Add($"group \"{Group.Name}\", rule \"{rule.Name}\": {e.Message}");
            }
            health[rule] = new RuleHealth(timeMs, System.Diagnostics.Stopwatch.GetElapsedTime(started), error);
        }
        return errors;
    }

    private Func<string, IReadOnlyList<QuerySample>> Query(long timeMs, CancellationToken cancellationToken) => text =>
        [.. Vector(engine.InstantQuery(store, text, timeMs, cancellationToken)).Select(s => new QuerySample(s.Labels, s.Value))];

    private static IReadOnlyList<VectorSample> Vector(QueryValue value) => value switch
    {
        VectorValue v => v.Samples,
        ScalarValue s => [new VectorSample(Labels.Empty, s.TimestampMs, s.Value)],
        _ => throw new PromQLEvaluationException("rule result is not a vector or scalar"),
    };

    private static void WriteRecorded(Rule rule, IReadOnlyList<VectorSample> result, long timeMs, ISampleAppender appender, HashSet<Labels> seen)
    {
        foreach (var sample in result)
        {
            var labels = sample.Labels.With(Label.MetricName, rule.Record!);
            foreach (var (name, value) in rule.Labels)
            {
                labels = labels.With(name, value);
            }
            if (!seen.Add(labels))
            {
                throw new PromQLEvaluationException("vector contains metrics with the same labelset after applying rule labels");
            }
            appender.Append(labels, timeMs, sample.Value);
        }
    }

    private static void WriteAlertSeries(AlertState state, long timeMs, ISampleAppender appender, HashSet<Labels> written)
    {
        foreach (var alert in state.Alerts.Where(a => a.Phase != AlertPhase.Inactive))
        {
            var phase = alert.Phase == AlertPhase.Firing ? "firing" : "pending";
            var alerts = alert.Labels.With(Label.MetricName, "ALERTS").With("alertstate", phase);
            appender.Append(alerts, timeMs, 1);
            written.Add(alerts);
            if (state.Restored)
            {
                var forState = alert.Labels.With(Label.MetricName, "ALERTS_FOR_STATE");
                appender.Append(forState, timeMs, alert.ActiveAtMs / 1000.0);
                written.Add(forState);
            }
        }
    }
}

/// <summary>A rule's last evaluation: when, how long it took, and its error if it failed.</summary>
public sealed record RuleHealth(long EvaluatedAtMs, TimeSpan Duration, string? Error);
