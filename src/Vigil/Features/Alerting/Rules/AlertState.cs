using Vigil.Features.Templates;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;

namespace Vigil.Features.Alerting.Rules;

public enum AlertPhase
{
    Inactive,
    Pending,
    Firing,
}

/// <summary>One alert of an alerting rule: a label set that the rule's expression returned.</summary>
public sealed class ActiveAlert(Labels labels, long activeAtMs)
{
    public Labels Labels { get; } = labels;
    public Labels Annotations { get; set; } = Labels.Empty;
    public AlertPhase Phase { get; set; } = AlertPhase.Pending;
    public long ActiveAtMs { get; set; } = activeAtMs;
    public long? FiredAtMs { get; set; }
    public long? ResolvedAtMs { get; set; }
    public long? KeepFiringSinceMs { get; set; }
    public double Value { get; set; }
    /// <summary>When it was last sent to the dispatcher (Prometheus's <c>LastSentAt</c>).</summary>
    public long? LastSentAtMs { get; set; }
    /// <summary>The end sent with it while firing (Prometheus's <c>ValidUntil</c>).</summary>
    public long? ValidUntilMs { get; set; }
}

/// <summary>
/// The alerts of one alerting rule and how they move between pending, firing and resolved, with
/// Prometheus 2.42's semantics (rules/alerting.go): an alert is pending from the first evaluation
/// that returns it, fires once it has been active for at least <c>for</c>, disappears at once
/// while pending, and when firing is resolved, or kept firing for <c>keep_firing_for</c> after
/// its condition clears. Resolved alerts are kept 15 minutes so they can be sent as resolved.
/// </summary>
public sealed class AlertState(Rule rule)
{
    private static readonly long ResolvedRetentionMs = (long)TimeSpan.FromMinutes(15).TotalMilliseconds;
    private readonly Dictionary<Labels, ActiveAlert> active = [];

    public Rule Rule { get; } = rule;

    public IEnumerable<ActiveAlert> Alerts => active.Values;

    /// <summary>
    /// False until the <c>for</c> state of a server's first evaluations has been restored from
    /// <c>ALERTS_FOR_STATE</c>; until then that series is not written, so the restore reads what
    /// was written before the restart (Prometheus's <c>AlertingRule.restored</c>).
    /// </summary>
    public bool Restored { get; set; } = true;

    /// <summary>Forgets every alert (Prometheus does so when a rule exceeds its group's limit).</summary>
    public void Clear() => active.Clear();

    /// <summary>Takes over the alerts of the same rule from before a reload (Prometheus's <c>Group.CopyState</c>).</summary>
    public void CopyFrom(AlertState previous)
    {
        foreach (var (labels, alert) in previous.active)
        {
            active[labels] = alert;
        }
        Restored = previous.Restored;
    }

    /// <summary>
    /// Renders a label or annotation template; a template that fails while rendering gives the
    /// error as its text, and the rule goes on (Prometheus 2.42, rules/alerting.go: "&lt;error expanding template: ...&gt;").
    /// </summary>
    private string Expand(string text, TemplateData data)
    {
        try
        {
            return AlertTemplate.Expand(text, data);
        }
        catch (TemplateExecutionException e)
        {
            // Prometheus runs the template after its variable definitions, so columns on the first line count them.
            var name = "__alert_" + Rule.Alert;
            return $"<error expanding template: error executing template {name}: {e.GoMessage(name, TemplateDefinitions, text)}>";
        }
        catch (Exception e) when (e is TemplateException or PromQLEvaluationException or PromQLParseException)
        {
            return $"<error expanding template: {e.Message}>";
        }
    }

    // rules/alerting.go: "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}".
    private const string TemplateDefinitions = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

    /// <summary>Applies one evaluation's result at <paramref name="timeMs"/>.</summary>
    /// <exception cref="PromQLEvaluationException">Two results have the same labels once the rule's labels are applied.</exception>
    public void Apply(IReadOnlyList<VectorSample> result, long timeMs, Labels externalLabels, string externalUrl, Func<string, IReadOnlyList<QuerySample>>? query)
    {
        var seen = new HashSet<Labels>();
        var results = new List<(Labels Labels, Labels Annotations, double Value)>();
        foreach (var sample in result)
        {
            var data = new TemplateData(sample.Labels, sample.Value, externalLabels, externalUrl, query);
            var labels = sample.Labels.WithoutMetricName();
            foreach (var (name, value) in Rule.Labels)
            {
                labels = labels.With(name, Expand(value, data));
            }
            labels = labels.With("alertname", Rule.Alert!);
            if (!seen.Add(labels))
            {
                throw new PromQLEvaluationException("vector contains metrics with the same labelset after applying alert labels");
            }
            // Annotations keep their empty values (Prometheus builds them with a ScratchBuilder; only labels drop empty values).
            var annotations = Labels.FromSorted([.. Rule.Annotations
                .Select(a => new Label(a.Key, Expand(a.Value, data)))
                .OrderBy(a => a.Name, StringComparer.Ordinal)]);
            results.Add((labels, annotations, sample.Value));
        }
        // As Prometheus does, a result with duplicate labels changes no alert: it is checked before any update.
        foreach (var (labels, annotations, value) in results)
        {
            if (active.TryGetValue(labels, out var alert) && alert.Phase != AlertPhase.Inactive)
            {
                alert.Value = value;
                alert.Annotations = annotations;
                continue;
            }
            active[labels] = new ActiveAlert(labels, timeMs) { Value = value, Annotations = annotations };
        }

        var forMs = (long)Rule.For.TotalMilliseconds;
        var keepFiringMs = (long)Rule.KeepFiringFor.TotalMilliseconds;
        foreach (var (labels, alert) in active.ToList())
        {
            if (!seen.Contains(labels))
            {
                var keepFiring = false;
                if (alert.Phase == AlertPhase.Firing && keepFiringMs > 0)
                {
                    alert.KeepFiringSinceMs ??= timeMs;
                    keepFiring = timeMs - alert.KeepFiringSinceMs < keepFiringMs;
                }
                if (alert.Phase == AlertPhase.Pending || (alert.ResolvedAtMs is { } resolvedAt && timeMs - resolvedAt > ResolvedRetentionMs))
                {
                    active.Remove(labels);
                }
                if (alert.Phase != AlertPhase.Inactive && !keepFiring)
                {
                    alert.Phase = AlertPhase.Inactive;
                    alert.ResolvedAtMs = timeMs;
                }
                if (!keepFiring)
                {
                    continue;
                }
            }
            else
            {
                alert.KeepFiringSinceMs = null;
            }
            if (alert.Phase == AlertPhase.Pending && timeMs - alert.ActiveAtMs >= forMs)
            {
                alert.Phase = AlertPhase.Firing;
                alert.FiredAtMs = timeMs;
            }
        }
    }
}
