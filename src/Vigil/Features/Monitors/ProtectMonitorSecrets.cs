using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Monitors;

/// <summary>
/// At start, before anything listens: monitors stored by a Vigil that kept heartbeat tokens and
/// secret header values in clear get them encrypted, and their token column replaced by its hash,
/// so that <c>/ping/{token}</c> keeps working with the same token.
/// </summary>
public static class ProtectMonitorSecrets
{
    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var secrets = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        var rows = (await db.Set<StoredMonitor>().ToListAsync(cancellationToken)).Where(m => m.HasClearSecrets()).ToList();
        foreach (var row in rows)
        {
            row.Apply(row.Definition(secrets), secrets);
        }
        await db.SaveChangesAsync(cancellationToken);
        return rows.Count;
    }
}
