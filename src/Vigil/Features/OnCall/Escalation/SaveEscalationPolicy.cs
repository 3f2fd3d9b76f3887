using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.OnCall.Escalation;

public sealed record EscalationPolicyView(string Name, string? Description, ObjectOrigin Origin, List<EscalationLevelDefinition> Levels, int Repeat, string Until)
{
    public static EscalationPolicyView From(StoredEscalationPolicy row)
    {
        var d = row.ReadDefinition();
        return new(row.Name, d.Description, row.Origin, d.Levels ?? [], d.Repeat, d.Until ?? "acknowledged");
    }
}

/// <summary>
/// <c>/api/escalation-policies</c>: list, read, and (for policies not defined in <c>vigil.yaml</c>)
/// create, replace and delete. Config policies are read-only here.
/// </summary>
public static class SaveEscalationPolicy
{
    public static async Task<Ok<List<EscalationPolicyView>>> List(VigilDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.Set<StoredEscalationPolicy>().AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken)).Select(EscalationPolicyView.From).ToList());

    public static async Task<Results<Ok<EscalationPolicyView>, ProblemHttpResult>> Get(string name, VigilDbContext db, CancellationToken cancellationToken) =>
        await db.Set<StoredEscalationPolicy>().AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, cancellationToken) is { } row
            ? TypedResults.Ok(EscalationPolicyView.From(row))
            : Problems.NotFound($"no escalation policy named \"{name}\"");

    public static async Task<Results<Created<EscalationPolicyView>, ValidationProblem, ProblemHttpResult>> Create(
        EscalationPolicyDefinition? body, VigilDbContext db, PageChannels channels, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON escalation policy is required");
        }
        var errors = EscalationRules.Validate(body, "", await KnownAsync(db, channels, cancellationToken));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (await db.Set<StoredEscalationPolicy>().AnyAsync(p => p.Name == body.Name, cancellationToken))
        {
            return Problems.Conflict($"an escalation policy named \"{body.Name}\" already exists");
        }
        var now = clock.GetUtcNow();
        var row = new StoredEscalationPolicy { Name = body.Name!, Definition = StoredEscalationPolicy.Write(body), Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
        db.Set<StoredEscalationPolicy>().Add(row);
        audit.Record("create", "escalation_policy", body.Name);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/escalation-policies/{body.Name}", EscalationPolicyView.From(row));
    }

    public static async Task<Results<Ok<EscalationPolicyView>, ValidationProblem, ProblemHttpResult>> Update(
        string name, EscalationPolicyDefinition? body, VigilDbContext db, PageChannels channels, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON escalation policy is required");
        }
        body.Name ??= name;
        if (body.Name != name)
        {
            return Problems.Field("name", $"does not match the policy in the URL (\"{name}\"); policies cannot be renamed");
        }
        var row = await db.Set<StoredEscalationPolicy>().SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (row is null)
        {
            return Problems.NotFound($"no escalation policy named \"{name}\"");
        }
        if (row.Origin == ObjectOrigin.Config)
        {
            return ReadOnly(name);
        }
        var errors = EscalationRules.Validate(body, "", await KnownAsync(db, channels, cancellationToken));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        row.Definition = StoredEscalationPolicy.Write(body);
        row.UpdatedAt = clock.GetUtcNow();
        audit.Record("update", "escalation_policy", name);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(EscalationPolicyView.From(row));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var row = await db.Set<StoredEscalationPolicy>().SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (row is null)
        {
            return Problems.NotFound($"no escalation policy named \"{name}\"");
        }
        if (row.Origin == ObjectOrigin.Config)
        {
            return ReadOnly(name);
        }
        db.Set<StoredEscalationPolicy>().Remove(row);
        audit.Record("delete", "escalation_policy", name);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Through the API, schedules are the stored ones (config and API), contacts those of the config and the catalog, and users must exist.</summary>
    private static async Task<EscalationRules.Known> KnownAsync(VigilDbContext db, PageChannels channels, CancellationToken cancellationToken)
    {
        var schedules = await db.Set<StoredSchedule>().AsNoTracking().Select(s => s.Name).ToListAsync(cancellationToken);
        var services = await db.Set<Service>().AsNoTracking().ToListAsync(cancellationToken);
        var contacts = channels.Config.Contacts.Where(c => c.Name is not null).Select(c => c.Name!)
            .Concat(services.SelectMany(s => s.Contacts).Select(c => c.Name));
        var users = await db.Users.AsNoTracking().Where(u => u.ErasedAt == null).Select(u => u.Username).ToListAsync(cancellationToken);
        return new(schedules.ToHashSet(StringComparer.Ordinal), contacts.ToHashSet(StringComparer.Ordinal), users.ToHashSet(StringComparer.Ordinal));
    }

    private static ProblemHttpResult ReadOnly(string name) =>
        Problems.Conflict($"escalation policy \"{name}\" is defined in the configuration file and is read-only through the API");
}
