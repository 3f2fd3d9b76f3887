using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors.Scheduling;
using Vigil.Hosting;

namespace Vigil.Features.Monitors;

/// <summary><c>GET /api/monitors?service=&amp;status=</c>, <c>GET /api/monitors/{name}</c> and <c>DELETE /api/monitors/{name}</c>.</summary>
public static class ReadMonitors
{
    public static async Task<Ok<List<MonitorView>>> List(string? service, MonitorStatus? status, HttpContext context, VigilDbContext db, MonitorStates states, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var query = db.Set<StoredMonitor>().AsNoTracking();
        if (service is not null)
        {
            query = query.Where(m => m.Service == service);
        }
        var rows = await query.OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var views = rows.Select(m => MonitorView.From(m, states.Get(m.Name), secrets, redact: !context.Caller().Has(Permission.MonitorsEdit))).Where(v => status is null || v.Status == status).ToList();
        return TypedResults.Ok(views);
    }

    public static async Task<Results<Ok<MonitorView>, ProblemHttpResult>> Get(string name, HttpContext context, VigilDbContext db, MonitorStates states, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var monitor = await db.Set<StoredMonitor>().AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        return monitor is null
            ? Problems.NotFound($"no monitor named \"{name}\"")
            : TypedResults.Ok(MonitorView.From(monitor, states.Get(name), secrets, withRecent: true, redact: !context.Caller().Has(Permission.MonitorsEdit)));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, VigilDbContext db, Access.AuditLog audit, MonitorLoop loop, MonitorStates states, CancellationToken cancellationToken)
    {
        var monitor = await db.Set<StoredMonitor>().SingleOrDefaultAsync(m => m.Name == name, cancellationToken);
        if (monitor is null)
        {
            return Problems.NotFound($"no monitor named \"{name}\"");
        }
        if (monitor.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"monitor \"{name}\" is defined in the configuration file and is read-only through the API");
        }
        db.Remove(monitor);
        audit.Record("delete", "monitor", monitor.Name);
        await db.SaveChangesAsync(cancellationToken);
        await loop.RefreshAsync(cancellationToken);
        states.Remove(name);
        return TypedResults.NoContent();
    }
}
