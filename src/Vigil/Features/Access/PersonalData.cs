using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Access;

/// <summary>
/// The GDPR requests of the seeds: <c>GET /api/users/{id}/export</c> (everything Vigil stores about
/// a user, as JSON) and <c>DELETE /api/users/{id}</c> (erasure: personal fields removed, the row
/// kept under a pseudonym so the audit trail stays whole). Both need <c>personal_data.manage</c>
/// (admin and above) and are audited. What other slices hold about the user they export and erase
/// themselves (<see cref="IPersonalDataHolder"/>): contact methods, notification rules, the calendar
/// feed and overrides (on-call), silences (alerting), incident history (incidents).
/// </summary>
public static class PersonalData
{
    public sealed record Export(
        UserView User, IReadOnlyList<ListTokens.TokenView> Tokens, int UnusedRecoveryCodes, bool MfaEnrolled,
        IReadOnlyList<QueryAuditLog.EntryView> AuditEntries, DateTimeOffset ExportedAt)
    {
        /// <summary>The other slices' sections, written as properties of the export beside these.</summary>
        [JsonExtensionData]
        public Dictionary<string, object> Held { get; init; } = [];
    }

    public static async Task<Results<Ok<Export>, ProblemHttpResult>> HandleExport(
        int id, VigilDbContext db, AuditLog audit, [FromServices] IEnumerable<IPersonalDataHolder> holders, TimeProvider clock, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Roles).Include(u => u.RecoveryCodes).SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return Problems.NotFound($"no user {id}");
        }
        var name = user.Username;
        var tokens = await ListTokens.Query(db, id).ToListAsync(cancellationToken);
        var held = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var holder in holders)
        {
            foreach (var (section, value) in await holder.ExportAsync(db, id, name, cancellationToken))
            {
                held.Add(section, value);
            }
        }
        var entries = await db.AuditLog.AsNoTracking().Where(e => e.UserId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        audit.Record("export", "user", id.ToString(CultureInfo.InvariantCulture), new { audit_entries = entries.Count });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new Export(
            UserView.From(user), tokens, user.RecoveryCodes.Count(r => r.UsedAt is null), user.MfaEnabled,
            entries.Select(QueryAuditLog.EntryView.From).ToList(), clock.GetUtcNow())
        { Held = held });
    }

    /// <summary>The name an erased user's row and audit entries keep.</summary>
    public static string Pseudonym(int id) => $"erased-user-{id}";

    public static async Task<Results<NoContent, ProblemHttpResult>> HandleErase(
        int id, HttpContext context, VigilDbContext db, AuditLog audit, [FromServices] IEnumerable<IPersonalDataHolder> holders, TimeProvider clock, CancellationToken cancellationToken)
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
        foreach (var holder in holders)
        {
            await holder.EraseAsync(db, id, name, pseudonym, cancellationToken);
        }
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
