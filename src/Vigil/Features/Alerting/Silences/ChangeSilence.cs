using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Alerting.Silences;

/// <summary>
/// <c>PUT /api/silences/{id}</c> extends (or shortens) a silence and may change its comment;
/// <c>DELETE /api/silences/{id}</c> expires it now. As in Alertmanager an expired silence cannot
/// change; its matchers and start cannot change once it is active (create a new one instead).
/// </summary>
public static class ChangeSilence
{
    public static async Task<Results<Ok<SilenceView>, ValidationProblem, ProblemHttpResult>> Extend(
        string id, SilenceUpdate? body, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var silence = await db.Set<Silence>().SingleOrDefaultAsync(s => s.SilenceId == id, cancellationToken);
        if (silence is null)
        {
            return Problems.NotFound($"no silence \"{id}\"");
        }
        if (body?.EndsAt is not { } ends)
        {
            return Problems.Field("ends_at", "required: the new end of the silence");
        }
        if (silence.StateAt(now) == SilenceState.Expired)
        {
            return Problems.Conflict($"silence \"{id}\" has expired and cannot change; create a new one");
        }
        if (ends <= now || ends <= silence.StartsAt)
        {
            return Problems.Field("ends_at", "must be in the future and after starts_at (to end it now, DELETE it)");
        }
        if (body.Comment is { } comment && string.IsNullOrWhiteSpace(comment))
        {
            return Problems.Field("comment", "must not be empty");
        }
        var before = silence.EndsAt;
        silence.EndsAt = ends;
        silence.Comment = body.Comment?.Trim() ?? silence.Comment;
        silence.UpdatedAt = now;
        audit.Record("update", "silence", silence.SilenceId, new { ends_at_before = before, ends_at = ends, comment = silence.Comment });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(SilenceView.From(silence, now));
    }

    public static async Task<Results<Ok<SilenceView>, ProblemHttpResult>> Expire(
        string id, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (view, problem) = await ExpireAsync(id, db, audit, clock.GetUtcNow(), cancellationToken);
        return view is null ? problem! : TypedResults.Ok(view);
    }

    /// <summary>Alertmanager's <c>Silences.expire</c>: ends now; a pending one also starts now. Used by the API and the console.</summary>
    public static async Task<(SilenceView? View, ProblemHttpResult? Problem)> ExpireAsync(
        string id, VigilDbContext db, AuditLog audit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var silence = await db.Set<Silence>().SingleOrDefaultAsync(s => s.SilenceId == id, cancellationToken);
        if (silence is null)
        {
            return (null, Problems.NotFound($"no silence \"{id}\""));
        }
        var state = silence.StateAt(now);
        if (state == SilenceState.Expired)
        {
            return (null, Problems.Conflict($"silence \"{id}\" has already expired"));
        }
        if (state == SilenceState.Pending)
        {
            silence.StartsAt = now;
        }
        silence.EndsAt = now;
        silence.UpdatedAt = now;
        audit.Record("expire", "silence", silence.SilenceId);
        await db.SaveChangesAsync(cancellationToken);
        return (SilenceView.From(silence, now), null);
    }
}
