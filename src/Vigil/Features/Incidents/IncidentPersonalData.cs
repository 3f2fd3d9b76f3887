using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Incidents;

/// <summary>
/// Incidents name who opened, acknowledged and resolved them, who wrote an update and who last
/// edited a post-mortem: that history is kept, under the pseudonym once the user is erased. The
/// export leaves it out (it is the team's record, not the user's data).
/// </summary>
public sealed class IncidentPersonalData : IPersonalDataHolder
{
    public Task<IReadOnlyDictionary<string, object>> ExportAsync(VigilDbContext db, int userId, string username, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, object>>(new Dictionary<string, object>());

    public async Task EraseAsync(VigilDbContext db, int userId, string username, string pseudonym, CancellationToken cancellationToken)
    {
        await db.Set<Incident>().Where(i => i.OpenedBy == username).ExecuteUpdateAsync(s => s.SetProperty(i => i.OpenedBy, pseudonym), cancellationToken);
        await db.Set<Incident>().Where(i => i.AcknowledgedBy == username).ExecuteUpdateAsync(s => s.SetProperty(i => i.AcknowledgedBy, pseudonym), cancellationToken);
        await db.Set<Incident>().Where(i => i.ResolvedBy == username).ExecuteUpdateAsync(s => s.SetProperty(i => i.ResolvedBy, pseudonym), cancellationToken);
        await db.Set<IncidentUpdate>().Where(u => u.Author == username).ExecuteUpdateAsync(s => s.SetProperty(u => u.Author, pseudonym), cancellationToken);
        await db.Set<PostMortem>().Where(p => p.UpdatedBy == username).ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedBy, pseudonym), cancellationToken);
    }
}
