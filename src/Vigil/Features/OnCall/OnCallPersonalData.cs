using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.OnCall.Escalation;

namespace Vigil.Features.OnCall;

/// <summary>What on-call holds about a user: contact methods, notification rules, the calendar feed, overrides, and pages they answered.</summary>
public sealed class OnCallPersonalData(SecretProtector secrets) : IPersonalDataHolder
{
    public sealed record ContactMethodExport(int Id, string Type, string Address, string? Label, DateTimeOffset CreatedAt);

    public sealed record NotificationRuleExport(int ContactMethodId, TimeSpan Delay);

    public sealed record OverrideExport(string Schedule, string User, DateTimeOffset Start, DateTimeOffset End, string? CreatedBy, DateTimeOffset CreatedAt);

    public async Task<IReadOnlyDictionary<string, object>> ExportAsync(VigilDbContext db, int userId, string username, CancellationToken cancellationToken)
    {
        var methods = await db.Set<ContactMethod>().AsNoTracking().Where(c => c.UserId == userId).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var rules = await db.Set<NotificationRule>().AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var feed = await db.Set<UserFeed>().AnyAsync(f => f.UserId == userId, cancellationToken);
        var overrides = await db.Set<StoredOverride>().AsNoTracking().Where(o => o.User == username || o.CreatedBy == username).OrderBy(o => o.Id).ToListAsync(cancellationToken);
        return new Dictionary<string, object>
        {
            ["contact_methods"] = methods.Select(c => new ContactMethodExport(c.Id, c.Type, secrets.Unprotect(c.ProtectedAddress), c.Label, c.CreatedAt)).ToList(),
            ["notification_rules"] = rules.Select(r => new NotificationRuleExport(r.ContactMethodId, r.Delay)).ToList(),
            ["calendar_feed"] = feed,
            ["overrides"] = overrides.Select(o => new OverrideExport(o.Schedule, o.User, o.Start, o.End, o.CreatedBy, o.CreatedAt)).ToList(),
        };
    }

    /// <summary>Contact methods, their rules and the feed go; overrides and pages keep their history under the pseudonym.</summary>
    public async Task EraseAsync(VigilDbContext db, int userId, string username, string pseudonym, CancellationToken cancellationToken)
    {
        await db.Set<NotificationRule>().Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ContactMethod>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<UserFeed>().Where(f => f.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<StoredOverride>().Where(o => o.User == username).ExecuteUpdateAsync(s => s.SetProperty(o => o.User, pseudonym), cancellationToken);
        await db.Set<StoredOverride>().Where(o => o.CreatedBy == username).ExecuteUpdateAsync(s => s.SetProperty(o => o.CreatedBy, pseudonym), cancellationToken);
        await db.Set<StoredPage>().Where(p => p.AcknowledgedBy == username).ExecuteUpdateAsync(s => s.SetProperty(p => p.AcknowledgedBy, pseudonym), cancellationToken);
        await db.Set<StoredPage>().Where(p => p.ResolvedBy == username).ExecuteUpdateAsync(s => s.SetProperty(p => p.ResolvedBy, pseudonym), cancellationToken);
    }
}
