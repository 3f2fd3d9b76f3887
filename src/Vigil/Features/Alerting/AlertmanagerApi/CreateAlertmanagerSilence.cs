using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Alerting.Silences;
using Vigil.Hosting;

namespace Vigil.Features.Alerting.AlertmanagerApi;

/// <summary>
/// <c>POST /api/v2/silences</c> (<c>postableSilence</c>), as Alertmanager 0.25 takes it from
/// <c>amtool silence add</c>: matchers as <c>{name, value, isRegex, isEqual}</c>, answered with
/// <c>{"silenceID": ...}</c>. Checked by the same rules as <c>POST /api/silences</c>
/// (Alertmanager's <c>validateSilence</c>). Two differences from Alertmanager: the author is the
/// caller (the <c>createdBy</c> sent is not trusted, so the audit log and the silence agree), and a
/// silence posted with the <c>id</c> of an existing one (<c>amtool silence update</c>) expires that
/// one and starts a new one, where Alertmanager keeps the id when only the end or comment change.
/// </summary>
public static class CreateAlertmanagerSilence
{
    public static async Task<Results<JsonHttpResult<PostedSilence>, ValidationProblem, ProblemHttpResult>> Handle(
        HttpContext http, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        PostableSilence? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PostableSilence>(http.Request.Body, AlertmanagerJson.Options, cancellationToken);
        }
        catch (JsonException e)
        {
            return Problems.Field("", $"invalid JSON: {e.Message}");
        }
        if (body is null)
        {
            return Problems.Field("", "a JSON silence is required: matchers, startsAt, endsAt, createdBy, comment");
        }
        if (body.Matchers is not { Count: > 0 } matchers)
        {
            return Problems.Field("matchers", "at least one matcher is required");
        }
        var now = clock.GetUtcNow();
        if (body.Id is { Length: > 0 } id)
        {
            var (_, problem) = await ChangeSilence.ExpireAsync(id, db, audit, now, cancellationToken);
            // Expiring one that already ended is not an error here: it is being replaced.
            if (problem?.StatusCode == StatusCodes.Status404NotFound)
            {
                return problem;
            }
        }
        var request = new SilenceRequest([.. matchers.Select(Text)], body.StartsAt, body.EndsAt, body.Comment);
        var (silence, errors) = await CreateSilence.CreateAsync(request, http.Caller().Username ?? "unknown", db, audit, now, cancellationToken);
        return silence is null
            ? Problems.Validation(errors.Select(e => new FieldError(e.Path.Replace("ends_at", "endsAt", StringComparison.Ordinal).Replace("starts_at", "startsAt", StringComparison.Ordinal), e.Reason)))
            : TypedResults.Json(new PostedSilence(silence.Id), AlertmanagerJson.Options);
    }

    /// <summary>A matcher of the API as Vigil stores it (<c>name=~"value"</c>); <c>isEqual</c> is true when not sent.</summary>
    public static string Text(AmMatcher m)
    {
        var kind = (m.IsRegex, m.IsEqual ?? true) switch
        {
            (false, true) => MatcherKind.Equal,
            (false, false) => MatcherKind.NotEqual,
            (true, true) => MatcherKind.Regex,
            (true, false) => MatcherKind.NotRegex,
        };
        return $"{m.Name}{Matcher.Operator(kind)}{Templates.GoJson.Quote(m.Value ?? "")}";
    }
}
