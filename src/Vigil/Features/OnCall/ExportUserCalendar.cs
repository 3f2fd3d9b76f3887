using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.OnCall;

/// <summary>The SHA-256 of a user's personal calendar feed secret (one per user; a new one replaces it).</summary>
public sealed class UserFeed
{
    public int UserId { get; set; }
    public required string TokenHash { get; set; }
}

internal sealed class UserFeedMapping : IEntityTypeConfiguration<UserFeed>
{
    public void Configure(EntityTypeBuilder<UserFeed> builder)
    {
        builder.ToTable("oncall_user_feeds");
        builder.HasKey(f => f.UserId);
        builder.Property(f => f.TokenHash).HasMaxLength(64);
        builder.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// A person's own on-call shifts across every schedule, as one iCalendar feed, authorised like a
/// schedule's feed by a secret in the URL: <c>POST /api/users/{username}/feed</c> (oneself with
/// <c>account.self</c>, anyone with <c>oncall.manage</c>) makes it; <c>GET /api/users/{username}/calendar.ics?token=...</c> serves it.
/// </summary>
public static class ExportUserCalendar
{
    public static async Task<Results<Ok<ExportCalendar.FeedLink>, ProblemHttpResult>> CreateToken(
        string username, HttpContext http, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var caller = http.Caller();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Username == username && u.ErasedAt == null, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound($"no user named \"{username}\"");
        }
        if (caller.Username != username && !caller.Has(Permission.OnCallManage))
        {
            return Problems.Forbidden("username", "another user's calendar feed needs the oncall.manage permission");
        }
        var token = "vcal_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var row = await db.Set<UserFeed>().SingleOrDefaultAsync(f => f.UserId == user.Id, cancellationToken);
        if (row is null)
        {
            db.Set<UserFeed>().Add(new UserFeed { UserId = user.Id, TokenHash = Hash(token) });
        }
        else
        {
            row.TokenHash = Hash(token);
        }
        audit.Record("feed_token", "user", username);
        await db.SaveChangesAsync(cancellationToken);
        var url = $"{http.Request.Scheme}://{http.Request.Host}/api/users/{Uri.EscapeDataString(username)}/calendar.ics?token={token}";
        return TypedResults.Ok(new ExportCalendar.FeedLink(url, token));
    }

    /// <param name="weeks">How far ahead (default 8, at most 26); the feed also keeps the past week.</param>
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Feed(
        string username, string? token, int? weeks, VigilDbContext db, ImportedCalendars calendars, TimeProvider clock, CancellationToken cancellationToken)
    {
        var stored = await (from f in db.Set<UserFeed>()
                            join u in db.Users on f.UserId equals u.Id
                            where u.Username == username && u.ErasedAt == null
                            select f.TokenHash).SingleOrDefaultAsync(cancellationToken);
        if (stored is null || token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(Hash(token))))
        {
            return Problems.NotFound("no such calendar feed");
        }
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var (from, to) = (now - NodaTime.Duration.FromDays(7), now + NodaTime.Duration.FromDays(7 * Math.Clamp(weeks ?? 8, 1, 26)));
        var shifts = (await ReadSchedules.LoadAsync(db, calendars, null, cancellationToken))
            .SelectMany(s => OnCallTimeline.Shifts(s.Schedule, from, to).Where(shift => shift.User == username).Select(shift => (s.Row.Name, shift)))
            .OrderBy(s => s.shift.Start).ThenBy(s => s.Name, StringComparer.Ordinal);
        return TypedResults.Text(CalendarFeed.Write($"On-call: {username}", shifts, now), "text/calendar; charset=utf-8");
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
