using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.OnCall;

/// <summary>
/// A schedule's iCalendar feed. Calendar apps cannot send bearer headers, so the feed URL carries
/// a secret: <c>POST /api/schedules/{name}/feed</c> (oncall.manage) makes a new one (the old URL
/// stops working), shows it once, and stores only its SHA-256. <c>GET /api/schedules/{name}/calendar.ics?token=...</c>
/// answers anyone holding it, and 404 to everyone else (so the URL does not reveal which schedules exist).
/// </summary>
public static class ExportCalendar
{
    public sealed record FeedLink(string Url, string Token);

    public static async Task<Results<Ok<FeedLink>, ProblemHttpResult>> CreateToken(
        string name, HttpContext http, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var row = await db.Set<StoredSchedule>().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (row is null)
        {
            return Problems.NotFound($"no schedule named \"{name}\"");
        }
        var token = "vcal_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        row.FeedTokenHash = Hash(token);
        audit.Record("feed_token", "schedule", name);
        await db.SaveChangesAsync(cancellationToken);
        var url = $"{http.Request.Scheme}://{http.Request.Host}/api/schedules/{Uri.EscapeDataString(name)}/calendar.ics?token={token}";
        return TypedResults.Ok(new FeedLink(url, token));
    }

    /// <param name="weeks">How far ahead (default 8, at most 26); the feed also keeps the past week.</param>
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Feed(
        string name, string? token, int? weeks, VigilDbContext db, ImportedCalendars calendars, TimeProvider clock, CancellationToken cancellationToken)
    {
        var loaded = (await ReadSchedules.LoadAsync(db, calendars, name, cancellationToken)).SingleOrDefault();
        if (loaded?.Row.FeedTokenHash is not { } stored || token is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(Hash(token))))
        {
            return Problems.NotFound("no such calendar feed");
        }
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var shifts = OnCallTimeline.Shifts(loaded.Schedule, now - NodaTime.Duration.FromDays(7), now + NodaTime.Duration.FromDays(7 * Math.Clamp(weeks ?? 8, 1, 26)));
        var text = CalendarFeed.Write($"On-call: {name}", shifts.Select(s => (name, s)), now);
        return TypedResults.Text(text, "text/calendar; charset=utf-8");
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
