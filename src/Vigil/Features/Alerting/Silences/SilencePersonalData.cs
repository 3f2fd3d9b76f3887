using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Alerting.Silences;

/// <summary>The silences a user created: exported, and kept under the pseudonym once the user is erased.</summary>
public sealed class SilencePersonalData : IPersonalDataHolder
{
    public sealed record SilenceExport(string Id, IReadOnlyList<string> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Comment);

    public async Task<IReadOnlyDictionary<string, object>> ExportAsync(VigilDbContext db, int userId, string username, CancellationToken cancellationToken)
    {
        var silences = await db.Set<Silence>().AsNoTracking().Where(s => s.CreatedBy == username).ToListAsync(cancellationToken);
        return new Dictionary<string, object>
        {
            ["silences"] = silences.Select(s => new SilenceExport(s.SilenceId, s.MatcherTexts, s.StartsAt, s.EndsAt, s.Comment)).ToList(),
        };
    }

    public async Task EraseAsync(VigilDbContext db, int userId, string username, string pseudonym, CancellationToken cancellationToken) =>
        await db.Set<Silence>().Where(x => x.CreatedBy == username).ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedBy, pseudonym), cancellationToken);
}
