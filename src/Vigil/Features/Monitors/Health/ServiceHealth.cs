namespace Vigil.Features.Monitors.Health;

/// <summary>A service's status in one environment, best to worst (the Statuspage words).</summary>
public enum ServiceStatus
{
    Operational,
    UnderMaintenance,
    Degraded,
    PartialOutage,
    MajorOutage,
}

/// <summary>A monitor's part in the roll-up: its state, and what its being down means (null: the default rule).</summary>
public sealed record MonitorHealth(string Monitor, MonitorStatus Status, MonitorImpact? Impact, IReadOnlyList<ComponentResult> Components, IReadOnlyDictionary<string, MonitorImpact>? ComponentImpacts);

/// <summary>A declared dependency's part: its own rolled-up status, and whether it is critical.</summary>
public sealed record DependencyHealth(string Service, bool Critical, ServiceStatus Status);

public sealed record ServiceVerdict(ServiceStatus Status, IReadOnlyList<string> Reasons);

/// <summary>
/// The roll-up rule, a function of its inputs (documented in <c>docs/monitors.md</c>):
/// <list type="number">
/// <item>Under a maintenance window: under maintenance.</item>
/// <item>A down monitor with an <c>impact</c> means that impact; a down dependency-health component
/// listed under <c>components:</c> means its impact ("database down means major outage").</item>
/// <item>Other down monitors: partial outage, or major outage when every monitor of the service is down.</item>
/// <item>A degraded monitor: degraded.</item>
/// <item>A critical dependency in partial or major outage: partial outage; a critical dependency
/// degraded, or any non-critical dependency not operational: degraded.</item>
/// <item>The worst of these; operational when none applies. Unknown and paused monitors count for nothing.</item>
/// </list>
/// </summary>
public static class ServiceHealth
{
    public static ServiceVerdict Rollup(IReadOnlyList<MonitorHealth> monitors, IReadOnlyList<DependencyHealth> dependencies, bool underMaintenance)
    {
        if (underMaintenance)
        {
            return new(ServiceStatus.UnderMaintenance, ["under maintenance"]);
        }
        var findings = new List<(ServiceStatus Status, string Reason)>();
        var known = monitors.Where(m => m.Status is MonitorStatus.Up or MonitorStatus.Degraded or MonitorStatus.Down).ToList();
        var allDown = known.Count > 0 && known.All(m => m.Status == MonitorStatus.Down);
        foreach (var m in known)
        {
            if (m.Status == MonitorStatus.Down)
            {
                var impact = m.Impact is { } i ? Of(i) : allDown ? ServiceStatus.MajorOutage : ServiceStatus.PartialOutage;
                findings.Add((impact, $"monitor {m.Monitor} is down"));
            }
            else if (m.Status == MonitorStatus.Degraded)
            {
                findings.Add((ServiceStatus.Degraded, $"monitor {m.Monitor} is degraded"));
            }
            foreach (var c in m.Components.Where(c => c.Status == MonitorStatus.Down))
            {
                if (m.ComponentImpacts?.GetValueOrDefault(c.Name) is { } componentImpact)
                {
                    findings.Add((Of(componentImpact), $"{c.Name} is {c.Value}"));
                }
            }
        }
        foreach (var d in dependencies.Where(d => d.Status is not (ServiceStatus.Operational or ServiceStatus.UnderMaintenance)))
        {
            var status = d.Critical && d.Status >= ServiceStatus.PartialOutage ? ServiceStatus.PartialOutage : ServiceStatus.Degraded;
            findings.Add((status, $"{(d.Critical ? "critical " : "")}dependency {d.Service}: {Words(d.Status)}"));
        }
        if (findings.Count == 0)
        {
            return new(ServiceStatus.Operational, []);
        }
        var worst = findings.Max(f => f.Status);
        return new(worst, [.. findings.OrderByDescending(f => f.Status).Select(f => f.Reason)]);
    }

    private static ServiceStatus Of(MonitorImpact impact) => impact switch
    {
        MonitorImpact.MajorOutage => ServiceStatus.MajorOutage,
        MonitorImpact.PartialOutage => ServiceStatus.PartialOutage,
        _ => ServiceStatus.Degraded,
    };

    public static string Words(ServiceStatus status) => status switch
    {
        ServiceStatus.UnderMaintenance => "under maintenance",
        ServiceStatus.PartialOutage => "partial outage",
        ServiceStatus.MajorOutage => "major outage",
        _ => status.ToString().ToLowerInvariant(),
    };
}
