using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Dashboards;

/// <summary>
/// The "System Health" dashboard of seed 000 (service status, resources, active alerts, recent
/// deployments), over Vigil's own series. Created at start when absent; the row's unique
/// <see cref="StoredDashboard.BuiltIn"/> key makes replicas starting together create it once.
/// </summary>
public sealed class CreateSystemHealthDashboard(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CreateSystemHealthDashboard> logger) : IHostedService
{
    public const string Key = "system-health";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        if (await db.Set<StoredDashboard>().AnyAsync(d => d.BuiltIn == Key, cancellationToken))
        {
            return;
        }
        var now = clock.GetUtcNow();
        var row = new StoredDashboard { Title = "", BuiltIn = Key, CreatedAt = now, UpdatedAt = now };
        row.Apply(Definition());
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Created the System Health dashboard ({Id})", row.Id);
        }
        catch (DbUpdateException)
        {
            // Another replica created it between our check and our insert: the unique key refused the second.
            logger.LogDebug("The System Health dashboard was created by another replica");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static DashboardDefinition Definition() => new()
    {
        Title = "System Health",
        Description = "Service status, resources, active alerts and recent deployments, from Vigil's own series.",
        Variables = [],
        Panels =
        [
            Panel("Monitors up", "stat", 0, 0, 6, 4, "sum(vigil_monitor_up)", null, [new() { Color = "green" }]),
            Panel("Monitors down", "stat", 6, 0, 6, 4, "count(vigil_monitor_up == 0) or vector(0)", null, [new() { Color = "green" }, new() { Value = 1, Color = "red" }]),
            Panel("Firing alerts", "stat", 12, 0, 6, 4, "count(ALERTS{alertstate=\"firing\"}) or vector(0)", null, [new() { Color = "green" }, new() { Value = 1, Color = "red" }]),
            Panel("Deployments in the last 24 h", "stat", 18, 0, 6, 4, "sum(increase(vigil_deployments_total[24h])) or vector(0)", null, [new() { Color = "blue" }]),
            Panel("Monitor status", "timeseries", 0, 4, 12, 8, "vigil_monitor_up", "{{monitor}}", null),
            Panel("Firing alerts by severity", "table", 12, 4, 12, 8, "count by (alertname, severity) (ALERTS{alertstate=\"firing\"})", null, null),
            Panel("Process CPU", "timeseries", 0, 12, 8, 8, "rate(process_cpu_seconds_total[$__rate_interval])", "{{instance}}", null),
            Panel("Process memory", "timeseries", 8, 12, 8, 8, "process_resident_memory_bytes", "{{instance}}", null, "bytes"),
            Panel("Recent deployments", "table", 16, 12, 8, 8, "sum by (service, environment, status) (increase(vigil_deployments_total[24h])) > 0", null, null),
        ],
    };

    private static PanelDefinition Panel(string title, string kind, int x, int y, int w, int h, string expr, string? legend, List<ThresholdStep>? thresholds, string? unit = null) => new()
    {
        Title = title,
        Kind = kind,
        GridPos = new GridPosition { X = x, Y = y, W = w, H = h },
        Targets = [new TargetDefinition { Expr = expr, LegendFormat = legend }],
        Thresholds = thresholds,
        Unit = unit,
    };
}
