using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Alerting.Rules;
using Vigil.Hosting;

namespace Vigil.Features.Slos;

/// <summary>
/// The SLOs in force, read from <c>slos</c> after every change (a reload, an API write), and their
/// generated burn-rate rule groups, which the rule evaluation loop takes as an <see cref="IRuleGroupSource"/>.
/// </summary>
public sealed class SloCatalog(IServiceScopeFactory scopes, StatusChanges statusChanges) : IRuleGroupSource
{
    private volatile IReadOnlyList<Slo> slos = [];
    private volatile IReadOnlyList<RuleGroup> groups = [];

    public IReadOnlyList<Slo> Slos => slos;

    public IReadOnlyList<RuleGroup> Groups => groups;

    public event Action? Changed;

    public Slo? Find(string name) => slos.FirstOrDefault(s => s.Name == name);

    /// <summary>Reads the SLOs again, regenerates their rules and tells the rule loop and the status page.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var rows = await db.Set<StoredSlo>().AsNoTracking().ToListAsync(cancellationToken);
        var loaded = rows.Select(r => r.ToSlo()).OrderBy(s => s.Service, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        slos = loaded;
        groups = [.. loaded.Select(GenerateBurnRateRules.For)];
        Changed?.Invoke();
        statusChanges.Raise();
    }
}
