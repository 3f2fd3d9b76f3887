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
        if (ListFilters.TryParse<SilenceState>(state, matcher, "pending, active or expired", out var wanted, out var filters) is { } problem)
        {
            return problem;
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
