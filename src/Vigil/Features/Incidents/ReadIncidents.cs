using Microsoft.EntityFrameworkCore;
using Vigil.Data;

namespace Vigil.Features.Incidents;

/// <summary>The <see cref="IIncidentReader"/> for other areas: open incidents and recently resolved ones, with their updates (newest first) in their public words.</summary>
public sealed class ReadIncidents(IServiceScopeFactory scopes) : IIncidentReader
{
    public async Task<IReadOnlyList<IncidentView>> ListAsync(DateTimeOffset resolvedSince, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var incidents = await db.Set<Incident>().AsNoTracking()
            .Where(i => i.Status != IncidentStatus.Resolved || i.ResolvedAt >= resolvedSince)
            .ToListAsync(cancellationToken);
        var ids = incidents.Select(i => i.Id).ToList();
        var updates = (await db.Set<IncidentUpdate>().AsNoTracking().Where(u => ids.Contains(u.IncidentId)).ToListAsync(cancellationToken))
            .ToLookup(u => u.IncidentId);
        return [.. incidents.OrderByDescending(i => i.OpenedAt).ThenByDescending(i => i.Id).Select(i => new IncidentView(
            i.HumanId, i.Title, i.Severity, i.Status, i.OpenedAt, i.ResolvedAt, i.UpdatedAt,
            [.. i.Services.Select(s => new AffectedService(s.Service, s.Impact))],
            [.. updates[i.Id].OrderByDescending(u => u.At).Select(u => new IncidentUpdateView(u.Status, u.PublicText ?? StatusMessages.PublicDefault(u.Status), u.At, u.Public))],
            i.Visibility == IncidentVisibility.Public && i.Type == IncidentType.Incident, i.PublicTitle))];
    }
}
