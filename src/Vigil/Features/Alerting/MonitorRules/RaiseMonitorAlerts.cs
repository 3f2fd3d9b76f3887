using Vigil.Configuration;
using Vigil.Features.Monitors;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.MonitorRules;

/// <summary>
/// Monitor rules without PromQL: a monitor that goes down (after its retries) raises
/// <c>MonitorDown</c> — <c>HeartbeatMissed</c> for a heartbeat — labelled <c>monitor</c>,
/// <c>service</c>, <c>environment</c>, <c>severity</c>, source <c>monitor</c>; it is sent again
/// every resend delay while down (with Prometheus's end of 4 × the resend delay), and resolved
/// (end = the recovery time) when the monitor comes back up or is paused.
/// </summary>
public sealed class RaiseMonitorAlerts(MonitorEvents events, IServiceProvider services, TimeProvider clock, ILogger<RaiseMonitorAlerts> logger)
    : BackgroundService, IConfigConsumer
{
    private readonly Dictionary<string, MonitorStateChanged> down = new(StringComparer.Ordinal);
    private readonly System.Threading.Channels.ChannelReader<MonitorStateChanged> changes = events.Subscribe();
    private readonly Lock gate = new();
    private volatile MonitorRuleSettings settings = new();
    private TimeSpan resendDelay = TimeSpan.FromMinutes(1);

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        settings = config.Alerting.MonitorRules;
        resendDelay = config.Alerting.ResendDelay;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The severity of a monitor's alert: the monitor's own <c>severity</c>, else the rule's
    /// (<c>heartbeat_severity</c> for HeartbeatMissed), else <c>alerting.monitor_rules.severity</c>;
    /// so a data-freshness heartbeat need not page like a checkout outage.
    /// </summary>
    public static string SeverityOf(MonitorStateChanged change, MonitorRuleSettings rules) =>
        change.Severity ?? (change.Type == MonitorType.Heartbeat ? rules.HeartbeatSeverity : null) ?? rules.Severity;

    /// <summary>The alert of a monitor state change: what it is called and what it says.</summary>
    public static IncomingAlert AlertOf(MonitorStateChanged change, string severity, DateTimeOffset? endsAt)
    {
        var name = change.Type == MonitorType.Heartbeat ? "HeartbeatMissed" : "MonitorDown";
        var labels = Labels.Of("alertname", name, "monitor", change.Monitor, "service", change.Service, "severity", severity);
        if (!string.IsNullOrEmpty(change.Environment))
        {
            labels = labels.With("environment", change.Environment);
        }
        var summary = change.Type == MonitorType.Heartbeat ? $"Heartbeat {change.Monitor} missed" : $"Monitor {change.Monitor} is down";
        return new IncomingAlert(labels, Labels.Of("summary", summary, "description", change.Reason), change.At, endsAt, $"/monitors/{Uri.EscapeDataString(change.Monitor)}", "monitor");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var resend = ResendAsync(stoppingToken);
        try
        {
            await foreach (var change in changes.ReadAllAsync(stoppingToken))
            {
                if (!settings.Enabled)
                {
                    continue;
                }
                IncomingAlert? alert = null;
                lock (gate)
                {
                    if (change.To == MonitorStatus.Down)
                    {
                        down[change.Monitor] = change;
                        alert = AlertOf(change, SeverityOf(change, settings), change.At + (4 * resendDelay));
                    }
                    else if (down.Remove(change.Monitor, out var was))
                    {
                        alert = AlertOf(was, SeverityOf(was, settings), change.At);
                    }
                }
                if (alert is not null)
                {
                    await PutAsync([alert], stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await resend;
    }

    private async Task ResendAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(resendDelay, clock, stoppingToken);
                var now = clock.GetUtcNow();
                List<IncomingAlert> alerts;
                lock (gate)
                {
                    alerts = [.. down.Values.Select(c => AlertOf(c, SeverityOf(c, settings), now + (4 * resendDelay)))];
                }
                await PutAsync(alerts, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Hands alerts to the dispatcher, trying again through a database outage until they land (in order: the loop waits).</summary>
    private Task PutAsync(IReadOnlyList<IncomingAlert> alerts, CancellationToken cancellationToken) =>
        alerts.Count == 0
            ? Task.CompletedTask
            : Data.RetryUntilSaved.RunAsync(token => services.GetRequiredService<IAlertIngest>().PutAsync(alerts, token), clock, logger,
                $"{alerts.Count} monitor alert(s) for the dispatcher", cancellationToken);
}
