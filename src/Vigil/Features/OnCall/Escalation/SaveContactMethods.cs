using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.OnCall.Escalation;

public sealed record ContactMethodView(int Id, string Type, string Address, string? Label);

public sealed record NotificationRuleView(
    int ContactMethodId,
    [property: JsonConverter(typeof(DurationJsonConverter))] TimeSpan? Delay);

public sealed record ContactSettingsView(List<ContactMethodView> ContactMethods, List<NotificationRuleView> NotificationRules);

public sealed record ContactMethodRequest(string? Type, string? Address, string? Label);

/// <summary>
/// <c>/api/users/{username}/contact-methods</c> and <c>/notification-rules</c>: how a user is
/// reached when paged. Anyone may manage their own (<c>account.self</c>); managing someone else's
/// needs <c>oncall.manage</c>. Without rules every contact method is used at once.
/// </summary>
public static class SaveContactMethods
{
    public static async Task<Results<Ok<ContactSettingsView>, ProblemHttpResult>> Get(
        string username, HttpContext context, VigilDbContext db, SecretProtector secrets, CancellationToken cancellationToken)
    {
        if (await UserAsync(username, context, db, cancellationToken) is not { } user)
        {
            return await RefusedAsync(username, context, db, cancellationToken);
        }
        return TypedResults.Ok(await ViewAsync(user.Id, db, secrets, cancellationToken));
    }

    public static async Task<Results<Created<ContactMethodView>, ValidationProblem, ProblemHttpResult>> Add(
        string username, ContactMethodRequest? body, HttpContext context, VigilDbContext db, SecretProtector secrets, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await UserAsync(username, context, db, cancellationToken) is not { } user)
        {
            return await RefusedAsync(username, context, db, cancellationToken);
        }
        if (body?.Type is not { } type || !ContactMethod.Types.Contains(type))
        {
            return Problems.Field("type", "must be email, sms, slack or webhook");
        }
        if (string.IsNullOrWhiteSpace(body.Address))
        {
            return Problems.Field("address", "is required");
        }
        if (EscalationRules.CheckAddress(type, body.Address) is { } reason)
        {
            return Problems.Field("address", reason);
        }
        if (type is "slack" or "webhook" && Outbound.OutboundConnector.Current.RefuseUrl(body.Address) is { } refused)
        {
            return Problems.Field("address", refused);
        }
        var method = new ContactMethod { UserId = user.Id, Type = type, ProtectedAddress = secrets.Protect(body.Address), Label = body.Label, CreatedAt = clock.GetUtcNow() };
        db.Set<ContactMethod>().Add(method);
        audit.Record("create", "contact_method", username, new { type });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/users/{username}/contact-methods/{method.Id}", new ContactMethodView(method.Id, type, body.Address, body.Label));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        string username, int id, HttpContext context, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        if (await UserAsync(username, context, db, cancellationToken) is not { } user)
        {
            return await RefusedAsync(username, context, db, cancellationToken);
        }
        var method = await db.Set<ContactMethod>().SingleOrDefaultAsync(m => m.Id == id && m.UserId == user.Id, cancellationToken);
        if (method is null)
        {
            return Problems.NotFound($"{username} has no contact method {id}");
        }
        db.Set<ContactMethod>().Remove(method);
        db.Set<NotificationRule>().RemoveRange(await db.Set<NotificationRule>().Where(r => r.ContactMethodId == id).ToListAsync(cancellationToken));
        audit.Record("delete", "contact_method", username, new { id });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Replaces the user's notification rules with the list given (an empty list: every method at once).</summary>
    public static async Task<Results<Ok<ContactSettingsView>, ValidationProblem, ProblemHttpResult>> SetRules(
        string username, List<NotificationRuleView>? body, HttpContext context, VigilDbContext db, SecretProtector secrets, AuditLog audit, CancellationToken cancellationToken)
    {
        if (await UserAsync(username, context, db, cancellationToken) is not { } user)
        {
            return await RefusedAsync(username, context, db, cancellationToken);
        }
        if (body is null)
        {
            return Problems.Field("body", "a JSON list of {contact_method_id, delay} is required");
        }
        var methods = await db.Set<ContactMethod>().Where(m => m.UserId == user.Id).Select(m => m.Id).ToListAsync(cancellationToken);
        var errors = new List<FieldError>();
        for (var i = 0; i < body.Count; i++)
        {
            if (!methods.Contains(body[i].ContactMethodId))
            {
                errors.Add(new($"[{i}].contact_method_id", $"{username} has no contact method {body[i].ContactMethodId}"));
            }
            if (body[i].Delay is { } delay && (delay < TimeSpan.Zero || delay > TimeSpan.FromHours(24)))
            {
                errors.Add(new($"[{i}].delay", "must be between 0s and 24h"));
            }
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        db.Set<NotificationRule>().RemoveRange(await db.Set<NotificationRule>().Where(r => r.UserId == user.Id).ToListAsync(cancellationToken));
        db.Set<NotificationRule>().AddRange(body.Select(r => new NotificationRule { UserId = user.Id, ContactMethodId = r.ContactMethodId, Delay = r.Delay ?? TimeSpan.Zero }));
        audit.Record("update", "notification_rules", username);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ViewAsync(user.Id, db, secrets, cancellationToken));
    }

    private static async Task<ContactSettingsView> ViewAsync(int userId, VigilDbContext db, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var methods = await db.Set<ContactMethod>().AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.Id).ToListAsync(cancellationToken);
        var rules = await db.Set<NotificationRule>().AsNoTracking().Where(r => r.UserId == userId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return new(
            [.. methods.Select(m => new ContactMethodView(m.Id, m.Type, secrets.Unprotect(m.ProtectedAddress), m.Label))],
            [.. rules.Select(r => new NotificationRuleView(r.ContactMethodId, r.Delay))]);
    }

    /// <summary>The user, when the caller may manage their contact methods (themselves, or with <c>oncall.manage</c>).</summary>
    private static async Task<User?> UserAsync(string username, HttpContext context, VigilDbContext db, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Username == username && u.ErasedAt == null, cancellationToken);
        return user is not null && MayManage(username, context) ? user : null;
    }

    private static bool MayManage(string username, HttpContext context) =>
        context.Caller().Username == username || context.Caller().Has(Permission.OnCallManage);

    /// <summary>404 for a user who does not exist (usernames are no secret to callers who see schedules), else 403.</summary>
    private static async Task<ProblemHttpResult> RefusedAsync(string username, HttpContext context, VigilDbContext db, CancellationToken cancellationToken) =>
        await db.Users.AnyAsync(u => u.Username == username && u.ErasedAt == null, cancellationToken) && !MayManage(username, context)
            ? Problems.Forbidden("username", "managing another user's contact methods needs the oncall.manage permission")
            : Problems.NotFound($"no user named \"{username}\"");
}
