using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.OnCall;

/// <summary>
/// <c>POST /api/schedules</c>, <c>PUT /api/schedules/{name}</c>, <c>DELETE /api/schedules/{name}</c>:
/// schedules defined through the API. Config-defined ones are read-only here (edit <c>vigil.yaml</c>).
/// </summary>
public static class SaveSchedule
{
    public static async Task<Results<Created<ScheduleView>, ValidationProblem, ProblemHttpResult>> Create(
        ScheduleDefinition? body, VigilDbContext db, ImportedCalendars calendars, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON schedule definition is required");
        }
        var errors = ScheduleRules.Validate(body, "").Concat(NoFiles(body)).Concat(Outbound.OutboundRules.Refusals(ScheduleRules.Destinations(body, ""), Outbound.OutboundConnector.Current)).ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (await db.Set<StoredSchedule>().AnyAsync(s => s.Name == body.Name, cancellationToken))
        {
            return Problems.Conflict($"a schedule named \"{body.Name}\" already exists");
        }
        var now = clock.GetUtcNow();
        db.Set<StoredSchedule>().Add(new StoredSchedule
        {
            Name = body.Name!,
            Definition = StoredSchedule.Write(body),
            Origin = ObjectOrigin.Api,
            CreatedAt = now,
            UpdatedAt = now,
        });
        audit.Record("create", "schedule", body.Name);
        await db.SaveChangesAsync(cancellationToken);
        calendars.RequestRefresh();
        var loaded = (await ReadSchedules.LoadAsync(db, calendars, body.Name, cancellationToken)).Single();
        return TypedResults.Created($"/api/schedules/{body.Name}", loaded.View(Instant.FromDateTimeOffset(now)));
    }

    public static async Task<Results<Ok<ScheduleView>, ValidationProblem, ProblemHttpResult>> Update(
        string name, ScheduleDefinition? body, VigilDbContext db, ImportedCalendars calendars, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON schedule definition is required");
        }
        body.Name ??= name;
        if (body.Name != name)
        {
            return Problems.Field("name", $"does not match the schedule in the URL (\"{name}\"); schedules cannot be renamed");
        }
        var row = await db.Set<StoredSchedule>().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (row is null)
        {
            return Problems.NotFound($"no schedule named \"{name}\"");
        }
        if (row.Origin == ObjectOrigin.Config)
        {
            return ReadOnly(name);
        }
        var errors = ScheduleRules.Validate(body, "").Concat(NoFiles(body)).Concat(Outbound.OutboundRules.Refusals(ScheduleRules.Destinations(body, ""), Outbound.OutboundConnector.Current)).ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        row.Definition = StoredSchedule.Write(body);
        row.UpdatedAt = clock.GetUtcNow();
        audit.Record("update", "schedule", name);
        await db.SaveChangesAsync(cancellationToken);
        calendars.RequestRefresh();
        var loaded = (await ReadSchedules.LoadAsync(db, calendars, name, cancellationToken)).Single();
        return TypedResults.Ok(loaded.View(Instant.FromDateTimeOffset(row.UpdatedAt)));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, VigilDbContext db, ImportedCalendars calendars, AuditLog audit, CancellationToken cancellationToken)
    {
        var row = await db.Set<StoredSchedule>().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (row is null)
        {
            return Problems.NotFound($"no schedule named \"{name}\"");
        }
        if (row.Origin == ObjectOrigin.Config)
        {
            return ReadOnly(name);
        }
        db.Set<StoredSchedule>().Remove(row);
        db.Set<StoredOverride>().RemoveRange(await db.Set<StoredOverride>().Where(o => o.Schedule == name).ToListAsync(cancellationToken));
        audit.Record("delete", "schedule", name);
        await db.SaveChangesAsync(cancellationToken);
        calendars.RequestRefresh();
        return TypedResults.NoContent();
    }

    /// <summary>
    /// An <c>ical</c> layer's <c>file</c> is a path on the server: only <c>vigil.yaml</c>, written by
    /// whoever runs the server, may name one; through the API a calendar comes from a <c>url</c>.
    /// </summary>
    private static IEnumerable<FieldError> NoFiles(ScheduleDefinition body) =>
        (body.Layers ?? []).Select((layer, i) => (layer, i)).Where(l => l.layer.File is not null)
            .Select(l => new FieldError($"layers[{l.i}].file", "a calendar file on the server can only be named in vigil.yaml; through the API use \"url\""));

    private static ProblemHttpResult ReadOnly(string name) =>
        Problems.Conflict($"schedule \"{name}\" is defined in the configuration file and is read-only through the API (overrides can still be added)");
}
