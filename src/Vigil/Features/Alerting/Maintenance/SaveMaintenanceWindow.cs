using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors.Uptime;
using Vigil.Hosting;

namespace Vigil.Features.Alerting.Maintenance;

/// <summary>A maintenance window as the API shows it: its definition, where it came from, whether it is open now and its next openings.</summary>
public sealed record MaintenanceWindowView(
    string Name, string Service, string? Environment, string? Schedule, string? Cron, string? Duration, string? StartsAt, string? EndsAt,
    string? TimeZone, string? Comment, ObjectOrigin Origin, bool OpenNow, IReadOnlyList<Interval> Next)
{
    public static MaintenanceWindowView From(MaintenanceWindow w, DateTimeOffset now)
    {
        var schedule = ActiveMaintenanceSource.Schedule(w);
        return new(w.Name, w.Service, w.Environment, w.Schedule, w.Cron, w.Duration, w.StartsAt, w.EndsAt, w.TimeZone, w.Comment, w.Origin,
            schedule?.IsOpenAt(now) == true, schedule?.Next(now, 3) ?? []);
    }
}

/// <summary>
/// <c>/api/maintenance-windows</c>: list all; create, change and delete the ones defined through the
/// API (those from <c>vigil.yaml</c> are read-only: change the file).
/// </summary>
public static class SaveMaintenanceWindow
{
    public static async Task<Ok<List<MaintenanceWindowView>>> List(VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var windows = await db.Set<MaintenanceWindow>().AsNoTracking().OrderBy(w => w.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(windows.Select(w => MaintenanceWindowView.From(w, now)).ToList());
    }

    public static async Task<Results<Created<MaintenanceWindowView>, ValidationProblem, ProblemHttpResult>> Create(
        MaintenanceWindowDefinition? body, VigilDbContext db, AuditLog audit, Hosting.StatusChanges statusChanges, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON maintenance window is required");
        }
        var errors = WindowSchedule.Validate(body, "").ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (await db.Set<MaintenanceWindow>().AnyAsync(w => w.Name == body.Name, cancellationToken))
        {
            return Problems.Conflict($"a maintenance window named \"{body.Name}\" already exists");
        }
        var now = clock.GetUtcNow();
        var window = new MaintenanceWindow { Name = body.Name!, Service = body.Service!, Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
        window.Apply(body);
        db.Add(window);
        audit.Record("create", "maintenance_window", window.Name);
        await db.SaveChangesAsync(cancellationToken);
        statusChanges.Raise();
        return TypedResults.Created($"/api/maintenance-windows/{window.Name}", MaintenanceWindowView.From(window, now));
    }

    public static async Task<Results<Ok<MaintenanceWindowView>, ValidationProblem, ProblemHttpResult>> Update(
        string name, MaintenanceWindowDefinition? body, VigilDbContext db, AuditLog audit, Hosting.StatusChanges statusChanges, TimeProvider clock, CancellationToken cancellationToken)
    {
        var window = await db.Set<MaintenanceWindow>().SingleOrDefaultAsync(w => w.Name == name, cancellationToken);
        if (window is null)
        {
            return Problems.NotFound($"no maintenance window \"{name}\"");
        }
        if (window.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"maintenance window \"{name}\" is defined in vigil.yaml; change it there");
        }
        if (body is null)
        {
            return Problems.Field("body", "a JSON maintenance window is required");
        }
        body.Name ??= name;
        if (body.Name != name)
        {
            return Problems.Field("name", "cannot be changed; delete the window and create a new one");
        }
        var errors = WindowSchedule.Validate(body, "").ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var now = clock.GetUtcNow();
        window.Apply(body);
        window.UpdatedAt = now;
        audit.Record("update", "maintenance_window", window.Name);
        await db.SaveChangesAsync(cancellationToken);
        statusChanges.Raise();
        return TypedResults.Ok(MaintenanceWindowView.From(window, now));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, VigilDbContext db, AuditLog audit, Hosting.StatusChanges statusChanges, CancellationToken cancellationToken)
    {
        var window = await db.Set<MaintenanceWindow>().SingleOrDefaultAsync(w => w.Name == name, cancellationToken);
        if (window is null)
        {
            return Problems.NotFound($"no maintenance window \"{name}\"");
        }
        if (window.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"maintenance window \"{name}\" is defined in vigil.yaml; remove it there");
        }
        db.Remove(window);
        audit.Record("delete", "maintenance_window", window.Name);
        await db.SaveChangesAsync(cancellationToken);
        statusChanges.Raise();
        return TypedResults.NoContent();
    }
}
