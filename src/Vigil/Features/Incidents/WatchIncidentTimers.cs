using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting;
using Vigil.Features.OnCall.Escalation;
using Vigil.Metrics;

namespace Vigil.Features.Incidents;

/// <summary>
/// The incidents' timers, on the injected clock: an SLA target about to be missed (the
/// <c>sla_warning</c> share spent) raises <c>IncidentSlaAtRisk{incident, severity, target}</c>
/// through the alert pipeline, resolved when the target is met or the incident resolves; a
/// promised status update that falls due raises <c>IncidentUpdateDue{incident, commander}</c>
/// (routed like any alert) until the next update is posted, and reminds the commander directly
/// on their own contact methods once.
/// </summary>
public sealed class WatchIncidentTimers(IServiceScopeFactory scopes, ConfigReloader config, IAlertIngest alerts, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<WatchIncidentTimers> logger) : BackgroundService
{
    /// <summary>Over several replicas only this lease's holder checks the timers.</summary>
    public const string Lease = "incidents/timers";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        cluster.RunEveryAsync(Lease, Interval, RunOnceAsync, clock, logger, "Checking incident timers failed; retrying", stoppingToken);

    /// <summary>One pass at a time in the process: two would both record the same warning.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await PassAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = config.Current.Config.Incidents;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var paging = scope.ServiceProvider.GetService<IPaging>();
        var watched = await db.Set<Incident>()
            .Where(i => i.Status != IncidentStatus.Resolved || i.SlaAlerting.Count > 0 || i.NextUpdateReminded)
            .ToListAsync(cancellationToken);
        var outgoing = new List<IncomingAlert>();
        foreach (var incident in watched)
        {
            var calendar = IncidentWorkspace.CalendarFor(settings, incident.Severity);
            var timers = SlaClock.Evaluate(incident.OpenedAt, incident.AcknowledgedAt, incident.ResolvedAt, settings.Severity(incident.Severity), calendar, settings.SlaWarning, now);
            var alerting = new List<string>();
            foreach (var timer in timers)
            {
                var atRisk = timer.State is SlaState.AtRisk or SlaState.Breached;
                if (atRisk)
                {
                    alerting.Add(timer.Target);
                    if (!incident.SlaAlerting.Contains(timer.Target))
                    {
                        IncidentWorkspace.Record(db, incident, "sla", null, $"{Capitalise(timer.Target)} target ({ChangeIncidentStatus.Text(timer.Limit)}) {(timer.State == SlaState.Breached ? "breached" : "at risk")}: due {timer.DueAt:u}", now);
                    }
                }
                if (atRisk || incident.SlaAlerting.Contains(timer.Target))
                {
                    outgoing.Add(SlaAlert(incident, timer, atRisk, now));
                }
            }
            if (!alerting.SequenceEqual(incident.SlaAlerting))
            {
                incident.SlaAlerting = alerting;
            }
            var due = incident.IsOpen && incident.NextUpdateDueAt is { } at && at <= now;
            if (due && !incident.NextUpdateReminded)
            {
                incident.NextUpdateReminded = true;
                var reached = await NotifyIncidentRoles.UpdateDueAsync(db, paging, incident, IncidentWorkspace.LinkOf(config.Current.Config, incident), now, cancellationToken);
                IncidentWorkspace.Record(db, incident, "reminder", null, $"Next status update was due at {incident.NextUpdateDueAt:u}: {reached}", now);
            }
            if (due || incident.NextUpdateReminded)
            {
                outgoing.Add(UpdateDueAlert(incident, due, now));
                if (!due)
                {
                    incident.NextUpdateReminded = false;
                }
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        if (outgoing.Count > 0)
        {
            await alerts.PutAsync(outgoing, cancellationToken);
        }
    }

    private static IncomingAlert SlaAlert(Incident incident, SlaTimer timer, bool firing, DateTimeOffset now) => new(
        Labels.Of("alertname", "IncidentSlaAtRisk", "incident", incident.HumanId, "severity", incident.Severity, "target", timer.Target,
            "service", incident.Services.FirstOrDefault()?.Service ?? ""),
        Labels.Of(
            "summary", $"{incident.HumanId} {timer.Target} target {(timer.State == SlaState.Breached ? "breached" : "at risk")}",
            "description", $"{incident.HumanId} ({incident.Severity}) {incident.Title}: {ChangeIncidentStatus.Text(timer.Spent)} of {ChangeIncidentStatus.Text(timer.Limit)} spent; due {timer.DueAt.ToString("u", CultureInfo.InvariantCulture)}"),
        null, firing ? null : now, $"/incidents/{incident.HumanId}", "vigil");

    private static IncomingAlert UpdateDueAlert(Incident incident, bool firing, DateTimeOffset now) => new(
        Labels.Of("alertname", "IncidentUpdateDue", "incident", incident.HumanId, "severity", incident.Severity, "commander", incident.Commander ?? ""),
        Labels.Of("summary", $"{incident.HumanId}: the promised status update is due", "description", $"Post the next status update for {incident.HumanId} {incident.Title}"),
        null, firing ? null : now, $"/incidents/{incident.HumanId}", "vigil");

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
