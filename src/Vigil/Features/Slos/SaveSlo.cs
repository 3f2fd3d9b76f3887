using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors;
using Vigil.Hosting;

namespace Vigil.Features.Slos;

/// <summary>
/// <c>POST /api/slos</c>, <c>PUT /api/slos/{name}</c>, <c>DELETE /api/slos/{name}</c>: SLOs made
/// through the API; those of <c>vigil.yaml</c> are read-only here. Each change is audited, and its
/// burn-rate rules are regenerated once it commits.
/// </summary>
public static class SaveSlo
{
    public static async Task<Results<Created<SloDefinition>, ValidationProblem, ProblemHttpResult>> Create(
        SloDefinition? body, VigilDbContext db, AuditLog audit, SloCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON SLO definition is required");
        }
        if (await ValidateAsync(body, db, cancellationToken) is { } invalid)
        {
            return invalid;
        }
        if (await db.Set<StoredSlo>().AnyAsync(s => s.Name == body.Name, cancellationToken))
        {
            return Problems.Conflict($"an SLO named \"{body.Name}\" already exists");
        }
        var now = clock.GetUtcNow();
        var slo = new StoredSlo { Name = body.Name!, Service = body.Service!, Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
        slo.Apply(body);
        db.Add(slo);
        audit.Record("create", "slo", slo.Name);
        await db.SaveChangesAsync(cancellationToken);
        await catalog.RefreshAsync(cancellationToken);
        return TypedResults.Created($"/api/slos/{slo.Name}", slo.Definition());
    }

    public static async Task<Results<Ok<SloDefinition>, ValidationProblem, ProblemHttpResult>> Update(
        string name, SloDefinition? body, VigilDbContext db, AuditLog audit, SloCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON SLO definition is required");
        }
        body.Name ??= name;
        if (body.Name != name)
        {
            return Problems.Field("name", "an SLO cannot be renamed; create a new one");
        }
        var slo = await db.Set<StoredSlo>().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (slo is null)
        {
            return Problems.NotFound($"no SLO named \"{name}\"");
        }
        if (slo.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"SLO \"{name}\" is defined in the configuration file and is read-only through the API");
        }
        if (await ValidateAsync(body, db, cancellationToken) is { } invalid)
        {
            return invalid;
        }
        slo.Apply(body);
        slo.UpdatedAt = clock.GetUtcNow();
        audit.Record("update", "slo", slo.Name);
        await db.SaveChangesAsync(cancellationToken);
        await catalog.RefreshAsync(cancellationToken);
        return TypedResults.Ok(slo.Definition());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, VigilDbContext db, AuditLog audit, SloCatalog catalog, CancellationToken cancellationToken)
    {
        var slo = await db.Set<StoredSlo>().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        if (slo is null)
        {
            return Problems.NotFound($"no SLO named \"{name}\"");
        }
        if (slo.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"SLO \"{name}\" is defined in the configuration file and is read-only through the API");
        }
        db.Remove(slo);
        audit.Record("delete", "slo", slo.Name);
        await db.SaveChangesAsync(cancellationToken);
        await catalog.RefreshAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The rules of <see cref="SloRules"/> with the monitors and services that exist now.</summary>
    public static async Task<ValidationProblem?> ValidateAsync(SloDefinition body, VigilDbContext db, CancellationToken cancellationToken, string prefix = "")
    {
        var monitors = await db.Set<StoredMonitor>().Select(m => m.Name).ToHashSetAsync(StringComparer.Ordinal, cancellationToken);
        var errors = SloRules.Validate(body, prefix, monitors.Contains).ToList();
        if (errors.Count == 0 && !await db.Services.AnyAsync(s => s.Name == body.Service, cancellationToken))
        {
            errors.Add(new($"{prefix}service", $"no service named \"{body.Service}\""));
        }
        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }
}
