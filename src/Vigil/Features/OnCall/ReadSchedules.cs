using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.OnCall;

/// <summary>A schedule as the API shows it: its definition, its origin, overrides added through the API, and who is on call now.</summary>
public sealed record ScheduleView(
    string Name, string? Description, string TimeZone, ObjectOrigin Origin, List<LayerDefinition> Layers,
    List<OverrideDefinition> ConfigOverrides, List<OverrideView> Overrides, ShiftView? OnCallNow);

public sealed record OverrideView(int Id, string User, DateTimeOffset Start, DateTimeOffset End, string? CreatedBy);

public sealed record ShiftView(string User, DateTimeOffset Start, DateTimeOffset End, string Source, bool Override)
{
    public static ShiftView From(Shift s) => new(s.User, s.Start.ToDateTimeOffset(), s.End.ToDateTimeOffset(), s.Source, s.IsOverride);
}

/// <summary>A stored schedule with everything needed to ask it questions.</summary>
public sealed record LoadedSchedule(StoredSchedule Row, ScheduleDefinition Definition, Schedule Schedule, List<StoredOverride> ApiOverrides)
{
    public ScheduleView View(Instant now) => new(
        Row.Name, Definition.Description, Definition.TimeZone!, Row.Origin, Definition.Layers ?? [], Definition.Overrides ?? [],
        [.. ApiOverrides.Select(o => new OverrideView(o.Id, o.User, o.Start, o.End, o.CreatedBy))],
        OnCallTimeline.WhoIsOnCall(Schedule, now) is { } shift ? ShiftView.From(shift) : null);
}

/// <summary><c>GET /api/schedules</c>, <c>GET /api/schedules/{name}</c> and <c>GET /api/schedules/{name}/shifts</c>.</summary>
public static class ReadSchedules
{
    /// <summary>Stored schedules (all, or the one named) as <see cref="Schedule"/>s, with API overrides added after config ones (so they win).</summary>
    public static async Task<List<LoadedSchedule>> LoadAsync(VigilDbContext db, ImportedCalendars calendars, string? name, CancellationToken cancellationToken)
    {
        var rows = await db.Set<StoredSchedule>().AsNoTracking().Where(s => name == null || s.Name == name).OrderBy(s => s.Name).ToListAsync(cancellationToken);
        var names = rows.Select(r => r.Name).ToList();
        var overrides = (await db.Set<StoredOverride>().AsNoTracking().Where(o => names.Contains(o.Schedule)).ToListAsync(cancellationToken))
            .OrderBy(o => o.Id).ToLookup(o => o.Schedule);
        var result = new List<LoadedSchedule>();
        foreach (var row in rows)
        {
            var definition = row.ReadDefinition();
            var schedule = ScheduleRules.Build(definition, "", [], calendars.For);
            if (schedule is null)
            {
                continue; // stored definitions were validated on the way in; one that no longer builds (a zone removed from the database) is skipped
            }
            var extra = overrides[row.Name].ToList();
            schedule = schedule with
            {
                Overrides = [.. schedule.Overrides, .. extra.Select(o => new ScheduleOverride(o.User, Instant.FromDateTimeOffset(o.Start), Instant.FromDateTimeOffset(o.End)))],
            };
            result.Add(new LoadedSchedule(row, definition, schedule, extra));
        }
        return result;
    }

    public static async Task<Ok<List<ScheduleView>>> List(VigilDbContext db, ImportedCalendars calendars, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        return TypedResults.Ok((await LoadAsync(db, calendars, null, cancellationToken)).Select(s => s.View(now)).ToList());
    }

    public static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Get(
        string name, VigilDbContext db, ImportedCalendars calendars, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = (await LoadAsync(db, calendars, name, cancellationToken)).SingleOrDefault();
        return found is null
            ? Problems.NotFound($"no schedule named \"{name}\"")
            : TypedResults.Ok(found.View(Instant.FromDateTimeOffset(clock.GetUtcNow())));
    }

    /// <summary>The final shifts between <c>from</c> and <c>to</c> (ISO-8601; default now and two weeks on; at most 366 days).</summary>
    public static async Task<Results<Ok<List<ShiftView>>, ValidationProblem, ProblemHttpResult>> Shifts(
        string name, string? from, string? to, VigilDbContext db, ImportedCalendars calendars, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = (await LoadAsync(db, calendars, name, cancellationToken)).SingleOrDefault();
        if (found is null)
        {
            return Problems.NotFound($"no schedule named \"{name}\"");
        }
        var errors = new List<FieldError>();
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var start = from is null ? now : ScheduleRules.ParseMoment(from, found.Schedule.Zone, "from", errors);
        var end = to is null ? start + NodaTime.Duration.FromDays(14) : ScheduleRules.ParseMoment(to, found.Schedule.Zone, "to", errors);
        if (start is not null && end is not null && (end <= start || end - start > NodaTime.Duration.FromDays(366)))
        {
            errors.Add(new("to", "must be after from and at most 366 days later"));
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        return TypedResults.Ok(OnCallTimeline.Shifts(found.Schedule, start!.Value, end!.Value).Select(ShiftView.From).ToList());
    }
}
