using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Dashboards;

/// <summary>
/// <c>/api/dashboards</c>: list, read, create, replace, delete and export dashboards. Every query is
/// parsed on save (a bad one is a problem naming <c>panels[2].targets[0].expr</c>); every change is audited.
/// </summary>
public static class ManageDashboards
{
    public sealed record DashboardSummary(int Id, string Title, string? Description, int Panels, string? BuiltIn, DateTimeOffset UpdatedAt);

    public sealed record DashboardView(int Id, string Title, string? Description, string? BuiltIn, List<PanelDefinition> Panels, List<VariableDefinition> Variables,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static DashboardView View(StoredDashboard row)
    {
        var d = row.Definition();
        return new(row.Id, row.Title, row.Description, row.BuiltIn, d.Panels ?? [], d.Variables ?? [], row.CreatedAt, row.UpdatedAt);
    }

    public static async Task<List<DashboardSummary>> SummariesAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Set<StoredDashboard>().AsNoTracking().OrderBy(d => d.Title).ThenBy(d => d.Id).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new DashboardSummary(r.Id, r.Title, r.Description, r.Definition().Panels?.Count ?? 0, r.BuiltIn, r.UpdatedAt))];
    }

    public static async Task<Ok<List<DashboardSummary>>> List(VigilDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await SummariesAsync(db, cancellationToken));

    public static async Task<Results<Ok<DashboardView>, ProblemHttpResult>> Get(int id, VigilDbContext db, CancellationToken cancellationToken) =>
        await db.Set<StoredDashboard>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken) is { } row
            ? TypedResults.Ok(View(row))
            : Problems.NotFound($"no dashboard {id}");

    /// <summary>The definition alone, as <c>POST /api/dashboards</c> takes it back.</summary>
    public static async Task<IResult> Export(int id, VigilDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Set<StoredDashboard>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken) is not { } row)
        {
            return Problems.NotFound($"no dashboard {id}");
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(row.Definition(), DefinitionJson.Options);
        return TypedResults.File(json, "application/json", $"dashboard-{row.Id}.json");
    }

    public static async Task<Results<Created<DashboardView>, ValidationProblem>> Create(
        DashboardDefinition? body, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON dashboard is required");
        }
        var (row, errors) = await CreateAsync(body, null, db, audit, clock, cancellationToken);
        return row is null ? Problems.Validation(errors) : TypedResults.Created($"/api/dashboards/{row.Id}", View(row));
    }

    public static async Task<Results<Ok<DashboardView>, ValidationProblem, ProblemHttpResult>> Update(
        int id, DashboardDefinition? body, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON dashboard is required");
        }
        if (await db.Set<StoredDashboard>().SingleOrDefaultAsync(d => d.Id == id, cancellationToken) is not { } row)
        {
            return Problems.NotFound($"no dashboard {id}");
        }
        var errors = await UpdateAsync(row, body, db, audit, clock, cancellationToken);
        return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Ok(View(row));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(int id, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        if (await db.Set<StoredDashboard>().SingleOrDefaultAsync(d => d.Id == id, cancellationToken) is not { } row)
        {
            return Problems.NotFound($"no dashboard {id}");
        }
        db.Remove(row);
        audit.Record("delete", "dashboard", id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { title = row.Title });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The create path of the API, the console and Grafana import: the row, or the errors and nothing saved.</summary>
    public static async Task<(StoredDashboard? Row, IReadOnlyList<FieldError> Errors)> CreateAsync(
        DashboardDefinition body, object? auditMetadata, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = DashboardRules.Validate(body).ToList();
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        var now = clock.GetUtcNow();
        var row = new StoredDashboard { Title = body.Title!, CreatedAt = now, UpdatedAt = now };
        row.Apply(body);
        // One transaction, so that the audit entry names the id the row was given.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        audit.Record("create", "dashboard", row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), auditMetadata ?? new { title = row.Title });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (row, []);
    }

    /// <summary>The replace path of the API and the console's panel form: the errors, none when saved.</summary>
    public static async Task<IReadOnlyList<FieldError>> UpdateAsync(
        StoredDashboard row, DashboardDefinition body, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = DashboardRules.Validate(body).ToList();
        if (errors.Count > 0)
        {
            return errors;
        }
        row.Apply(body);
        row.UpdatedAt = clock.GetUtcNow();
        audit.Record("update", "dashboard", row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), new { title = row.Title });
        await db.SaveChangesAsync(cancellationToken);
        return [];
    }
}
