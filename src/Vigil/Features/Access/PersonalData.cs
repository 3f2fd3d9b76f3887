using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Alerting.Silences;
using Vigil.Features.Incidents;
using Vigil.Features.OnCall;
using Vigil.Features.OnCall.Escalation;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary>
/// The GDPR requests of the seeds: <c>GET /api/users/{id}/export</c> (everything Vigil stores about
/// a user, as JSON) and <c>DELETE /api/users/{id}</c> (erasure: personal fields removed, the row
/// kept under a pseudonym so the audit trail stays whole). Both need <c>personal_data.manage</c>
/// (admin and above) and are audited.
/// </summary>
public static class PersonalData
{
    public sealed record Export(
        UserView User, IReadOnlyList<ListTokens.TokenView> Tokens, int UnusedRecoveryCodes, bool MfaEnrolled,
        IReadOnlyList<ContactMethodExport> ContactMethods, IReadOnlyList<NotificationRuleExport> NotificationRules, bool CalendarFeed,
        IReadOnlyList<OverrideExport> Overrides, IReadOnlyList<SilenceExport> Silences,
        IReadOnlyList<QueryAuditLog.EntryView> AuditEntries, DateTimeOffset ExportedAt);

    public sealed record ContactMethodExport(int Id, string Type, string Address, string? Label, DateTimeOffset CreatedAt);

    public sealed record NotificationRuleExport(int ContactMethodId, TimeSpan Delay);

    public sealed record OverrideExport(string Schedule, string User, DateTimeOffset Start, DateTimeOffset End, string? CreatedBy, DateTimeOffset CreatedAt);

    public sealed record SilenceExport(string Id, IReadOnlyList<string> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Comment);

    public static async Task<Results<Ok<Export>, ProblemHttpResult>> HandleExport(int id, VigilDbContext db, AuditLog audit, SecretProtector secrets, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Roles).Include(u => u.RecoveryCodes).SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound($"no user {id}");
        }
        var name = user.Username;
        var tokens = await ListTokens.Query(db, id).ToListAsync(cancellationToken);
        var methods = await db.Set<ContactMethod>().AsNoTracking().Where(c => c.UserId == id).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var rules = await db.Set<NotificationRule>().AsNoTracking().Where(r => r.UserId == id).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var feed = await db.Set<UserFeed>().AnyAsync(f => f.UserId == id, cancellationToken);
        var overrides = await db.Set<StoredOverride>().AsNoTracking().Where(o => o.User == name || o.CreatedBy == name).OrderBy(o => o.Id).ToListAsync(cancellationToken);
        var silences = await db.Set<Silence>().AsNoTracking().Where(s => s.CreatedBy == name).ToListAsync(cancellationToken);
        var entries = await db.AuditLog.AsNoTracking().Where(e => e.UserId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        audit.Record("export", "user", id.ToString(CultureInfo.InvariantCulture), new { audit_entries = entries.Count });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new Export(
            UserView.From(user), tokens, user.RecoveryCodes.Count(r => r.UsedAt is null), user.MfaEnabled,
            [.. methods.Select(c => new ContactMethodExport(c.Id, c.Type, secrets.Unprotect(c.ProtectedAddress), c.Label, c.CreatedAt))],
            [.. rules.Select(r => new NotificationRuleExport(r.ContactMethodId, r.Delay))],
            feed,
            [.. overrides.Select(o => new OverrideExport(o.Schedule, o.User, o.Start, o.End, o.CreatedBy, o.CreatedAt))],
            [.. silences.Select(s => new SilenceExport(s.SilenceId, s.MatcherTexts, s.StartsAt, s.EndsAt, s.Comment))],
            entries.Select(QueryAuditLog.EntryView.From).ToList(), clock.GetUtcNow()));
    }

    /// <summary>
    /// Everything else that holds the user: contact methods, notification rules and the calendar feed
    /// go; overrides, silences, incidents and pages keep their history under the pseudonym.
    /// </summary>
    private static async Task ErasePersonalRowsAsync(VigilDbContext db, int id, string name, string pseudonym, CancellationToken cancellationToken)
    {
        await db.Set<NotificationRule>().Where(r => r.UserId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ContactMethod>().Where(c => c.UserId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<UserFeed>().Where(f => f.UserId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Set<StoredOverride>().Where(o => o.User == name).ExecuteUpdateAsync(s => s.SetProperty(o => o.User, pseudonym), cancellationToken);
        await db.Set<StoredOverride>().Where(o => o.CreatedBy == name).ExecuteUpdateAsync(s => s.SetProperty(o => o.CreatedBy, pseudonym), cancellationToken);
        await db.Set<Silence>().Where(x => x.CreatedBy == name).ExecuteUpdateAsync(s => s.SetProperty(x => x.CreatedBy, pseudonym), cancellationToken);
        await db.Set<Incident>().Where(i => i.OpenedBy == name).ExecuteUpdateAsync(s => s.SetProperty(i => i.OpenedBy, pseudonym), cancellationToken);
        await db.Set<Incident>().Where(i => i.AcknowledgedBy == name).ExecuteUpdateAsync(s => s.SetProperty(i => i.AcknowledgedBy, pseudonym), cancellationToken);
        await db.Set<Incident>().Where(i => i.ResolvedBy == name).ExecuteUpdateAsync(s => s.SetProperty(i => i.ResolvedBy, pseudonym), cancellationToken);
        await db.Set<IncidentUpdate>().Where(u => u.Author == name).ExecuteUpdateAsync(s => s.SetProperty(u => u.Author, pseudonym), cancellationToken);
        await db.Set<PostMortem>().Where(p => p.UpdatedBy == name).ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedBy, pseudonym), cancellationToken);
        await db.Set<StoredPage>().Where(p => p.AcknowledgedBy == name).ExecuteUpdateAsync(s => s.SetProperty(p => p.AcknowledgedBy, pseudonym), cancellationToken);
        await db.Set<StoredPage>().Where(p => p.ResolvedBy == name).ExecuteUpdateAsync(s => s.SetProperty(p => p.ResolvedBy, pseudonym), cancellationToken);
    }

    /// <summary>The name an erased user's row and audit entries keep.</summary>
    public static string Pseudonym(int id) => $"erased-user-{id}";

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleErase(int id, HttpContext context, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var caller = context.Caller();
        var user = await db.Users.Include(u => u.Roles).Include(u => u.RecoveryCodes).SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null || user.ErasedAt is not null)
        {
            return Problems.NotFound($"no user {id}");
        }
        if (user.Id == caller.UserId)
        {
            return Problems.Conflict("you cannot erase your own account; ask another admin");
        }
        if (user.Roles.FirstOrDefault(r => !RolePermissions.MayGrant(caller.Permissions, r.Role)) is { } wider)
        {
            return Problems.Forbidden("id", $"the user holds role \"{wider.Role}\", which grants more than you hold");
        }
        if (user.Roles.Any(r => r.Role == Role.SuperAdmin && r.Scope == null) && await SetUserRoles.IsLastSuperAdminAsync(db, id, cancellationToken))
        {
            return Problems.Conflict("this is the last super_admin; make someone else super_admin first");
        }
        var pseudonym = Pseudonym(id);
        var name = user.Username;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ErasePersonalRowsAsync(db, id, name, pseudonym, cancellationToken);
        user.Username = pseudonym;
        user.DisplayName = null;
        user.Email = null;
        user.PasswordHash = null;
        user.MfaSecret = null;
        user.SecurityStamp = Passwords.NewSecurityStamp();
        user.ErasedAt = clock.GetUtcNow();
        user.Roles.Clear();
        user.RecoveryCodes.Clear();
        await db.ApiTokens.Where(t => t.UserId == id).ExecuteDeleteAsync(cancellationToken);
        await db.AuditLog.Where(e => e.UserId == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Username, pseudonym), cancellationToken);
        // Entries by others about the user: "create user dana", "set roles of dana", a failed sign-in as dana.
        await db.AuditLog.Where(e => e.ResourceId == name).ExecuteUpdateAsync(s => s.SetProperty(e => e.ResourceId, pseudonym), cancellationToken);
        var quoted = $"\"{name}\"";
        var quotedPseudonym = $"\"{pseudonym}\"";
        await db.AuditLog.Where(e => e.Metadata.Contains(quoted)).ExecuteUpdateAsync(s => s.SetProperty(e => e.Metadata, e => e.Metadata.Replace(quoted, quotedPseudonym)), cancellationToken);
        audit.Record("erase", "user", id.ToString(CultureInfo.InvariantCulture));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
