using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.OnCall;

/// <summary>
/// <c>POST /api/schedules/{name}/overrides</c> and <c>DELETE /api/schedules/{name}/overrides/{id}</c>:
/// someone takes a schedule over for a period, on any schedule (config ones too: an override is
/// operations, not configuration). Managers may name anyone; operators only themselves (covering
/// a colleague's shift by taking it), and may delete only overrides naming themselves.
/// </summary>
public static class AddOverride
{
    public static async Task<Results<Created<OverrideView>, ValidationProblem, ProblemHttpResult>> Handle(
        string name, OverrideDefinition? body, HttpContext http, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON override {user, start, end} is required");
        }
        var row = await db.Set<StoredSchedule>().AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (row is null)
        {
            return Problems.NotFound($"no schedule named \"{name}\"");
        }
        var caller = http.Caller();
        if (!caller.Has(Permission.OnCallManage) && body.User != caller.Username)
        {
            return Problems.Forbidden("user", $"you may add overrides only for yourself (\"{caller.Username}\"); naming others needs {Permission.OnCallManage}");
        }
        var errors = new List<FieldError>();
        var zone = NodaTime.DateTimeZoneProviders.Tzdb[row.ReadDefinition().TimeZone!];
        var built = ScheduleRules.BuildOverride(body, zone, "", errors);
        if (built is null)
        {
            return Problems.Validation(errors);
        }
        var stored = new StoredOverride
        {
            Schedule = name,
            User = built.User,
            Start = built.Start.ToDateTimeOffset(),
            End = built.End.ToDateTimeOffset(),
            CreatedBy = caller.Username,
            CreatedAt = clock.GetUtcNow(),
        };
        // The audit entry names the override's id, so the row is saved first, both in one transaction.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Set<StoredOverride>().Add(stored);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record("create", "schedule_override", $"{name}/{stored.Id}", new { user = stored.User, start = stored.Start, end = stored.End });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/schedules/{name}/overrides/{stored.Id}", new OverrideView(stored.Id, stored.User, stored.Start, stored.End, stored.CreatedBy));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, int id, HttpContext http, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var stored = await db.Set<StoredOverride>().SingleOrDefaultAsync(o => o.Schedule == name && o.Id == id, cancellationToken);
        if (stored is null)
        {
            return Problems.NotFound($"no override {id} on schedule \"{name}\"");
        }
        var caller = http.Caller();
        if (!caller.Has(Permission.OnCallManage) && stored.User != caller.Username)
        {
            return Problems.Forbidden("id", $"you may remove only overrides naming yourself; others need {Permission.OnCallManage}");
        }
        db.Set<StoredOverride>().Remove(stored);
        audit.Record("delete", "schedule_override", $"{name}/{id}");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
