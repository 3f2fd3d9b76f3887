using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// Makes the stored escalation policies match <c>escalation_policies:</c>, as schedules do: config
/// policies follow the file, API policies are left alone unless a config policy of the same name
/// takes them over. Pages under way keep the policy they started with.
/// </summary>
public sealed class SyncEscalationPoliciesFromConfig(IServiceScopeFactory scopes, TimeProvider clock) : IConfigConsumer
{
    public async Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        if (!SharedObjects.Writable)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var existing = await db.Set<StoredEscalationPolicy>().ToDictionaryAsync(p => p.Name, cancellationToken);
        var now = clock.GetUtcNow();
        var wanted = config.EscalationPolicies.Select(p => p.Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var definition in config.EscalationPolicies)
        {
            var text = StoredEscalationPolicy.Write(definition);
            if (!existing.TryGetValue(definition.Name!, out var row))
            {
                row = new StoredEscalationPolicy { Name = definition.Name!, Definition = text, CreatedAt = now };
                db.Set<StoredEscalationPolicy>().Add(row);
            }
            else if (row.Definition == text && row.Origin == ObjectOrigin.Config)
            {
                continue;
            }
            row.Origin = ObjectOrigin.Config;
            row.Definition = text;
            row.UpdatedAt = now;
        }
        db.Set<StoredEscalationPolicy>().RemoveRange(existing.Values.Where(p => p.Origin == ObjectOrigin.Config && !wanted.Contains(p.Name)));
        // One SaveChanges is one transaction.
        await db.SaveChangesAsync(cancellationToken);
    }
}
