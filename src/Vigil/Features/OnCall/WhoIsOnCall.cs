using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.OnCall;

/// <summary>One schedule's answer: who is on call at the time asked (null: nobody), and from when until when.</summary>
public sealed record OnCallAnswer(string Schedule, string TimeZone, DateTimeOffset At, ShiftView? OnCall);

/// <summary><c>GET /api/oncall?at=TIME&amp;schedule=NAME</c>: who is on call now (or at TIME), per schedule; what <c>vigil oncall who</c> prints.</summary>
public static class WhoIsOnCall
{
    public static async Task<Results<Ok<List<OnCallAnswer>>, ValidationProblem, ProblemHttpResult>> Handle(
        string? at, string? schedule, VigilDbContext db, ImportedCalendars calendars, TimeProvider clock, CancellationToken cancellationToken)
    {
        var when = Instant.FromDateTimeOffset(clock.GetUtcNow());
        if (at is not null)
        {
            var errors = new List<FieldError>();
            if (ScheduleRules.ParseMoment(at, DateTimeZone.Utc, "at", errors) is not { } parsed || !at.EndsWith('Z') && !HasOffset(at))
            {
                return Problems.Field("at", $"\"{at}\" is not an ISO-8601 time with an offset or Z, such as 2026-03-29T01:30:00Z");
            }
            when = parsed;
        }
        var schedules = await ReadSchedules.LoadAsync(db, calendars, schedule, cancellationToken);
        if (schedule is not null && schedules.Count == 0)
        {
            return Problems.NotFound($"no schedule named \"{schedule}\"");
        }
        return TypedResults.Ok(schedules
            .Select(s => new OnCallAnswer(
                s.Row.Name, s.Schedule.Zone.Id, when.ToDateTimeOffset(),
                OnCallTimeline.WhoIsOnCall(s.Schedule, when) is { } shift ? ShiftView.From(shift) : null))
            .ToList());
    }

    private static bool HasOffset(string text) => text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':';
}
