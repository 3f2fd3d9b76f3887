using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Alerting.Silences;
using Vigil.Hosting;

namespace Vigil.Features.Alerting.AlertmanagerApi;

/// <summary>
/// <c>GET /api/v2/silences</c> and <c>GET /api/v2/silence/{id}</c>, as Alertmanager 0.25 answers
/// them (<c>api/v2/api.go</c> <c>getSilencesHandler</c>), for <c>amtool silence query</c>: every
/// silence (amtool leaves out the expired ones itself), those matching each <c>filter</c> matcher by
/// the silence's own matchers (<c>CheckSilenceMatchesFilterLabels</c>), ordered as
/// <c>SortSilences</c>: active (ending soonest first), pending (starting soonest first), expired
/// (most recently ended first).
/// </summary>
public static class ListAlertmanagerSilences
{
    public static async Task<Results<JsonHttpResult<List<GettableSilence>>, ValidationProblem>> Handle(
        VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken, string[]? filter = null)
    {
        var matchers = new List<Matcher>();
        foreach (var text in filter ?? [])
        {
            if (!Matcher.TryParse(text, out var m, out var reason))
            {
                return Problems.Field("filter", reason);
            }
            matchers.Add(m!);
        }
        var now = clock.GetUtcNow();
        var silences = await db.Set<Silence>().AsNoTracking().ToListAsync(cancellationToken);
        var result = silences
            .Where(s => MatchesFilter(s.Matchers(), matchers))
            .OrderBy(s => s.StateAt(now) switch { SilenceState.Active => 0, SilenceState.Pending => 1, _ => 2 })
            .ThenBy(s => s.StateAt(now) switch
            {
                SilenceState.Active => s.EndsAt.UtcTicks,
                SilenceState.Pending => s.StartsAt.UtcTicks,
                _ => -s.EndsAt.UtcTicks,
            })
            .ThenBy(s => s.SilenceId, StringComparer.Ordinal)
            .Select(s => ToGettable(s, now))
            .ToList();
        return TypedResults.Json(result, AlertmanagerJson.Options);
    }

    public static async Task<Results<JsonHttpResult<GettableSilence>, ProblemHttpResult>> Get(string id, VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        await db.Set<Silence>().AsNoTracking().SingleOrDefaultAsync(s => s.SilenceId == id, cancellationToken) is { } silence
            ? TypedResults.Json(ToGettable(silence, clock.GetUtcNow()), AlertmanagerJson.Options)
            : Problems.NotFound($"no silence \"{id}\"");

    /// <summary>
    /// Alertmanager's <c>matchFilterLabels</c> over the silence's matchers taken as labels (name →
    /// value): a filter whose value is empty is skipped when the name is absent (or, for a negative
    /// matcher, present); otherwise the filter must match the silence's value for that name.
    /// </summary>
    public static bool MatchesFilter(IReadOnlyList<Matcher> silenceMatchers, IReadOnlyList<Matcher> filters)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in silenceMatchers)
        {
            values[m.Name] = m.Value;
        }
        foreach (var f in filters)
        {
            var present = values.TryGetValue(f.Name, out var value);
            var negative = f.Type is MatcherKind.NotEqual or MatcherKind.NotRegex;
            if (f.Value.Length == 0 && present == negative)
            {
                continue;
            }
            if (!f.Matches(Vigil.Metrics.Labels.Of(f.Name, value ?? "")))
            {
                return false;
            }
        }
        return true;
    }

    public static GettableSilence ToGettable(Silence s, DateTimeOffset now) => new(
        s.SilenceId,
        new SilenceStatus(s.StateAt(now).ToString().ToLowerInvariant()),
        AlertmanagerJson.Utc(s.UpdatedAt),
        [.. s.Matchers().Select(m => new AmMatcher(m.Name, m.Value, m.Type is MatcherKind.Regex or MatcherKind.NotRegex, m.Type is MatcherKind.Equal or MatcherKind.Regex))],
        AlertmanagerJson.Utc(s.StartsAt),
        AlertmanagerJson.Utc(s.EndsAt),
        s.CreatedBy,
        s.Comment);
}
