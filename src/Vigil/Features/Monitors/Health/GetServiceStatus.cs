using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Features.Monitors.Uptime;
using Vigil.Hosting;

namespace Vigil.Features.Monitors.Health;

/// <summary><c>GET /api/services/{name}/status</c>: the service's status in each environment its monitors check.</summary>
public static class GetServiceStatus
{
    public sealed record EnvironmentStatus(string? Environment, ServiceStatus Status, IReadOnlyList<string> Reasons);

    public sealed record ServiceStatusView(string Service, ServiceStatus Status, IReadOnlyList<EnvironmentStatus> Environments);

    public static async Task<Results<Ok<ServiceStatusView>, ProblemHttpResult>> Handle(
        string name, VigilDbContext db, MonitorStates states, IMaintenanceCalendar maintenance, TimeProvider clock, CancellationToken cancellationToken)
    {
        var statuses = await ComputeAllAsync(db, states, maintenance, clock.GetUtcNow(), cancellationToken);
        return statuses.TryGetValue(name, out var view) ? TypedResults.Ok(view) : Problems.NotFound($"no service named \"{name}\"");
    }

    /// <summary>Every service's status; dependencies are rolled up first (a cycle counts as operational at the point it closes).</summary>
    public static async Task<Dictionary<string, ServiceStatusView>> ComputeAllAsync(
        VigilDbContext db, MonitorStates states, IMaintenanceCalendar maintenance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var services = await db.Services.AsNoTracking().ToListAsync(cancellationToken);
        var monitors = (await db.Set<StoredMonitor>().AsNoTracking().ToListAsync(cancellationToken)).ToLookup(m => m.Service);
        var done = new Dictionary<string, ServiceStatusView>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        var byName = services.ToDictionary(s => s.Name);

        async Task<ServiceStatusView> RollAsync(Service service)
        {
            if (done.TryGetValue(service.Name, out var ready))
            {
                return ready;
            }
            if (!visiting.Add(service.Name))
            {
                return new ServiceStatusView(service.Name, ServiceStatus.Operational, []);
            }
            var dependencies = new List<(string Name, bool Critical, ServiceStatusView View)>();
            foreach (var d in service.Dependencies.Where(d => d.Kind == DependencyKind.Service && byName.ContainsKey(d.Target)))
            {
                dependencies.Add((d.Target, d.Critical, await RollAsync(byName[d.Target])));
            }
            var environments = monitors[service.Name].Select(m => m.Environment).Distinct().ToList();
            if (environments.Count == 0)
            {
                environments.Add(null);
            }
            var rows = new List<EnvironmentStatus>();
            foreach (var environment in environments)
            {
                var health = monitors[service.Name].Where(m => m.Environment == environment).Select(m =>
                {
                    var d = m.StoredDefinition();
                    var state = states.Get(m.Name);
                    return new MonitorHealth(m.Name, m.Paused ? MonitorStatus.Paused : state.Status, d.Impact, state.Components, d.Components);
                }).ToList();
                var deps = dependencies.Select(d => new DependencyHealth(d.Name, d.Critical,
                    d.View.Environments.FirstOrDefault(e => e.Environment == environment)?.Status ?? d.View.Status)).ToList();
                var windows = await maintenance.WindowsAsync(service.Name, environment, new Interval(now, now.AddTicks(1)), cancellationToken);
                var verdict = ServiceHealth.Rollup(health, deps, windows.Any(w => w.Contains(now)));
                rows.Add(new EnvironmentStatus(environment, verdict.Status, verdict.Reasons));
            }
            var view = new ServiceStatusView(service.Name, rows.Max(r => r.Status), rows);
            done[service.Name] = view;
            return view;
        }

        foreach (var service in services)
        {
            await RollAsync(service);
        }
        return done;
    }
}
