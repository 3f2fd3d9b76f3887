using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Alerting.Silences;

/// <summary><c>POST /api/silences</c>: mute the alerts matching all the matchers from starts_at (default now) to ends_at.</summary>
public static class CreateSilence
{
    public static async Task<Results<Created<SilenceView>, ValidationProblem>> Handle(
        SilenceRequest? body, HttpContext http, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON silence is required: matchers, ends_at, comment");
        }
        var (silence, errors) = await CreateAsync(body, http.Caller().Username ?? "unknown", db, audit, clock.GetUtcNow(), cancellationToken);
        return silence is null ? Problems.Validation(errors) : TypedResults.Created($"/api/silences/{silence.Id}", silence);
    }

    /// <summary>Validates and stores a silence with one audit entry; used by the API and the console.</summary>
    public static async Task<(SilenceView? Silence, IReadOnlyList<Configuration.FieldError> Errors)> CreateAsync(
        SilenceRequest body, string createdBy, VigilDbContext db, AuditLog audit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        body = body.Resolve(now);
        var errors = SilenceRules.Validate(body, now).ToList();
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var silence = new Silence
        {
            SilenceId = Guid.NewGuid().ToString(),
            MatchersJson = System.Text.Json.JsonSerializer.Serialize(body.Matchers!.Select(m => m.Trim())),
            StartsAt = body.StartsAt is { } starts && starts > now ? starts : now,
            EndsAt = body.EndsAt!.Value,
            CreatedBy = createdBy,
            Comment = body.Comment!.Trim(),
            UpdatedAt = now,
        };
        db.Add(silence);
        audit.Record("create", "silence", silence.SilenceId, new { matchers = silence.MatcherTexts, starts_at = silence.StartsAt, ends_at = silence.EndsAt, comment = silence.Comment });
        await db.SaveChangesAsync(cancellationToken);
        return (SilenceView.From(silence, now), []);
    }
}
