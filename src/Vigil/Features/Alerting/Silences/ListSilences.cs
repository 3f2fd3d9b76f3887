using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Alerting.Routing;
using Vigil.Hosting;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Silences;

/// <summary>
/// <c>GET /api/silences</c>: every silence, newest end first, filtered by <c>state</c>
/// (pending, active, expired) and by <c>matcher</c> (repeatable): as Alertmanager's silence filter,
/// a silence is listed when the given matchers match the labels its equality matchers name.
/// </summary>
public static class ListSilences
{
    public static async Task<Results<Ok<List<SilenceView>>, ValidationProblem>> Handle(
        VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken, string? state = null, string[]? matcher = null)
    {
        SilenceState? wanted = null;
        if (state is not null)
        {
            if (!Enum.TryParse<SilenceState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
            {
                return Problems.Field("state", "expected pending, active or expired");
            }
            wanted = parsed;
        }
        var filters = new List<Matcher>();
        foreach (var text in matcher ?? [])
        {
            if (!Matcher.TryParse(text, out var m, out var reason))
            {
                return Problems.Field("matcher", reason);
            }
            filters.Add(m!);
        }
        var now = clock.GetUtcNow();
        var silences = await db.Set<Silence>().AsNoTracking().ToListAsync(cancellationToken);
        return TypedResults.Ok(silences
            .Where(s => wanted is null || s.StateAt(now) == wanted)
            .Where(s => filters.Count == 0 || filters.MatchAll(EqualityLabels(s)))
            .OrderByDescending(s => s.EndsAt).ThenBy(s => s.SilenceId, StringComparer.Ordinal)
            .Select(s => SilenceView.From(s, now)).ToList());
    }

    public static async Task<Results<Ok<SilenceView>, ProblemHttpResult>> Get(string id, VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        await db.Set<Silence>().AsNoTracking().SingleOrDefaultAsync(s => s.SilenceId == id, cancellationToken) is { } silence
            ? TypedResults.Ok(SilenceView.From(silence, clock.GetUtcNow()))
            : Problems.NotFound($"no silence \"{id}\"");

    private static Labels EqualityLabels(Silence silence) =>
        Labels.From(silence.Matchers().Where(m => m.Type == MatcherKind.Equal).GroupBy(m => m.Name).Select(g => new Label(g.Key, g.First().Value)));
}
