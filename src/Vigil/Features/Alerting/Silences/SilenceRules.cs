using Vigil.Configuration;
using Vigil.Features.Alerting.Routing;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Silences;

/// <summary>A silence as the API shows it.</summary>
public sealed record SilenceView(string Id, IReadOnlyList<string> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment, DateTimeOffset UpdatedAt, SilenceState State)
{
    public static SilenceView From(Silence s, DateTimeOffset now) =>
        new(s.SilenceId, s.MatcherTexts, s.StartsAt, s.EndsAt, s.CreatedBy, s.Comment, s.UpdatedAt, s.StateAt(now));
}

/// <summary>
/// The body of <c>POST /api/silences</c>; <c>created_by</c> is always the caller. Instead of
/// <c>ends_at</c> a <c>duration</c> (<c>2h</c>) may be given, counted from the start on the server's clock.
/// </summary>
public sealed record SilenceRequest(IReadOnlyList<string>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Comment, string? Duration = null)
{
    public SilenceRequest Resolve(DateTimeOffset now) =>
        EndsAt is null && Duration is { } d && Configuration.Duration.TryParse(d, out var length) && length > TimeSpan.Zero
            ? this with { EndsAt = (StartsAt is { } s && s > now ? s : now) + length }
            : this;
}

/// <summary>The body of <c>PUT /api/silences/{id}</c>: extend or shorten a silence, or change its comment.</summary>
public sealed record SilenceUpdate(DateTimeOffset? EndsAt, string? Comment);

/// <summary>Alertmanager's <c>silence.validateSilence</c> rules, with field names.</summary>
public static class SilenceRules
{
    public static IEnumerable<FieldError> Validate(SilenceRequest request, DateTimeOffset now)
    {
        var matchers = request.Matchers ?? [];
        if (matchers.Count == 0)
        {
            yield return new FieldError("matchers", "at least one matcher is required, e.g. service=\"api\"");
        }
        var parsed = new List<Matcher>();
        for (var i = 0; i < matchers.Count; i++)
        {
            if (Matcher.TryParse(matchers[i] ?? "", out var m, out var reason))
            {
                parsed.Add(m!);
            }
            else
            {
                yield return new FieldError($"matchers[{i}]", reason);
            }
        }
        // Alertmanager: "at least one matcher must not match the empty string", else it would silence everything.
        if (parsed.Count > 0 && parsed.Count == matchers.Count && parsed.All(m => m.Matches(Labels.Empty)))
        {
            yield return new FieldError("matchers", "at least one matcher must not match the empty string (the silence would mute every alert)");
        }
        if (request.EndsAt is null && request.Duration is { } duration)
        {
            yield return new FieldError("duration", $"\"{duration}\" is not a positive duration such as 30m or 2h");
        }
        else if (request.EndsAt is not { } ends)
        {
            yield return new FieldError("ends_at", "required: when the silence ends");
        }
        else if (ends <= (request.StartsAt ?? now))
        {
            yield return new FieldError("ends_at", "must be after starts_at");
        }
        else if (ends <= now)
        {
            yield return new FieldError("ends_at", "must be in the future");
        }
        if (string.IsNullOrWhiteSpace(request.Comment))
        {
            yield return new FieldError("comment", "required: say why the alerts are silenced");
        }
    }
}
