using Vigil.Metrics;

namespace Vigil.Features.Alerting;

/// <summary>
/// An alert as it reaches the dispatcher, in Alertmanager's model (API v2 <c>postableAlert</c>):
/// a label set that identifies it, annotations, when it started and — if known — when it ends.
/// Sources send it again while it fires; an alert whose <see cref="EndsAt"/> has passed is
/// resolved. Without <see cref="EndsAt"/> the dispatcher resolves it after its
/// <c>resolve_timeout</c> unless it is sent again (Alertmanager's rule).
/// </summary>
/// <param name="Labels">Identify the alert (<c>alertname</c> and the rest); never empty.</param>
/// <param name="Annotations">Descriptive text (<c>summary</c>, <c>description</c>, <c>runbook_url</c>).</param>
/// <param name="StartsAt">When it started firing; the dispatcher uses its receive time when null.</param>
/// <param name="EndsAt">When it ends (or ended); null while its end is not known.</param>
/// <param name="GeneratorUrl">A link back to what produced it (rule, integration).</param>
/// <param name="Source">Where it came from: <c>rule</c>, <c>monitor</c>, <c>alertmanager</c>, <c>pagerduty</c>, <c>webhook:NAME</c>, <c>vigil</c> (its own, e.g. Watchdog).</param>
public sealed record IncomingAlert(
    Labels Labels,
    Labels Annotations,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string GeneratorUrl,
    string Source);

/// <summary>
/// Where every alert source (rule evaluation, monitor rules, inbound integrations, Vigil's own
/// alerts) hands its alerts to routing. Implemented by the dispatcher; durable once the task
/// completes (acknowledged alerts survive a crash).
/// </summary>
public interface IAlertIngest
{
    Task PutAsync(IReadOnlyList<IncomingAlert> alerts, CancellationToken cancellationToken);
}
