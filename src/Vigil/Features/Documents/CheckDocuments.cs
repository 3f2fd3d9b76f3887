using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Alerting;
using Vigil.Metrics;

namespace Vigil.Features.Documents;

/// <summary>
/// Every hour, on the replica holding the <c>documents/expiry</c> lease, puts each document's due
/// reminder (<see cref="DocumentReminders.Due"/>) into the alert pipeline as <c>DocumentExpiring</c>
/// (labelled with the <c>reminder</c> threshold) or <c>DocumentExpired</c>, labelled
/// <c>document</c>, <c>kind</c>, <c>owner</c>, <c>service</c>, source <c>document</c>. A reminder
/// that is no longer due (the expiry date moved, the document deleted, the next threshold reached)
/// is resolved on the next pass.
/// </summary>
public sealed class CheckDocuments(IServiceProvider services, ConfigReloader config, Cluster.ClusterMembership cluster, TimeProvider clock, ILogger<CheckDocuments> logger) : BackgroundService
{
    public const string Lease = "documents/expiry";
    public static readonly TimeSpan Period = TimeSpan.FromHours(1);

    private Dictionary<string, IncomingAlert> firing = new(StringComparer.Ordinal);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        cluster.RunEveryAsync(Lease, Period, PassAsync, clock, logger, "Checking expiring documents failed", stoppingToken);

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var alerts = new Dictionary<string, IncomingAlert>(StringComparer.Ordinal);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            foreach (var doc in await ManageDocuments.AllAsync(config, db, cancellationToken))
            {
                if (DocumentReminders.Due(doc, now) is { } due)
                {
                    var alert = AlertOf(doc, due, now + (3 * Period));
                    alerts[alert.Labels.ToString()] = alert;
                }
            }
        }
        // What was put on the last pass and is no longer due is resolved now, unless it already ended by itself (a pass delayed past its end).
        var resolved = firing.Where(f => !alerts.ContainsKey(f.Key) && f.Value.EndsAt > now).Select(f => f.Value with { EndsAt = now });
        List<IncomingAlert> put = [.. alerts.Values, .. resolved];
        firing = alerts;
        if (put.Count > 0)
        {
            await services.GetRequiredService<IAlertIngest>().PutAsync(put, cancellationToken);
        }
    }

    public static IncomingAlert AlertOf(ExpiringDoc doc, DocumentReminder due, DateTimeOffset endsAt)
    {
        var labels = Labels.Of("alertname", due.Alert, "document", doc.Name, "kind", doc.Kind, "severity", due.Severity);
        if (due.Threshold is { } threshold)
        {
            labels = labels.With("reminder", threshold);
        }
        if (doc.Owner is { } owner)
        {
            labels = labels.With("owner", owner);
        }
        if (doc.Service is { } service)
        {
            labels = labels.With("service", service);
        }
        return new IncomingAlert(labels, Labels.Of("summary", due.Detail), null, endsAt, $"/documents", "document");
    }
}
