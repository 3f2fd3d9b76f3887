using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.StatusPage;

/// <summary>A status page as the API shows it: its definition, where it came from, and its public address.</summary>
public sealed record StatusPageView(string Name, string Origin, bool ReadOnly, string Url, StatusPageDefinition Definition)
{
    public static StatusPageView From(StoredStatusPage p) =>
        new(p.Name, p.Origin == ObjectOrigin.Config ? "config" : "api", p.Origin == ObjectOrigin.Config, $"/status/{p.Name}", p.Definition());
}

/// <summary>
/// <c>/api/status-pages</c>: list and read all; create, change and delete the ones defined through
/// the API (those from <c>vigil.yaml</c> are read-only: change the file). Every change is audited
/// and shows on the public page at once.
/// </summary>
public static class SaveStatusPage
{
    public static async Task<Ok<List<StatusPageView>>> List(VigilDbContext db, CancellationToken cancellationToken)
    {
        var pages = await db.Set<StoredStatusPage>().AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(pages.Select(StatusPageView.From).ToList());
    }

    public static async Task<Results<Ok<StatusPageView>, ProblemHttpResult>> Get(string name, VigilDbContext db, CancellationToken cancellationToken) =>
        await db.Set<StoredStatusPage>().AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, cancellationToken) is { } page
            ? TypedResults.Ok(StatusPageView.From(page))
            : Problems.NotFound($"no status page \"{name}\"");

    public static async Task<Results<Created<StatusPageView>, ValidationProblem, ProblemHttpResult>> Create(
        StatusPageDefinition? body, VigilDbContext db, AuditLog audit, StatusChanges changes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (body is null)
        {
            return Problems.Field("body", "a JSON status page is required");
        }
        var errors = StatusPageRules.Validate(body, "").ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (await db.Set<StoredStatusPage>().AnyAsync(p => p.Name == body.Name, cancellationToken))
        {
            return Problems.Conflict($"a status page named \"{body.Name}\" already exists");
        }
        if (await HostTakenAsync(db, body, cancellationToken))
        {
            return Problems.Field("host", $"host \"{body.Host}\" is already used by another status page");
        }
        var now = clock.GetUtcNow();
        var page = new StoredStatusPage { Name = body.Name!, Origin = ObjectOrigin.Api, CreatedAt = now, UpdatedAt = now };
        page.Apply(body);
        db.Add(page);
        audit.Record("create", "status_page", page.Name);
        await db.SaveChangesAsync(cancellationToken);
        changes.Raise();
        return TypedResults.Created($"/api/status-pages/{page.Name}", StatusPageView.From(page));
    }

    public static async Task<Results<Ok<StatusPageView>, ValidationProblem, ProblemHttpResult>> Update(
        string name, StatusPageDefinition? body, VigilDbContext db, AuditLog audit, StatusChanges changes, TimeProvider clock, CancellationToken cancellationToken)
    {
        var page = await db.Set<StoredStatusPage>().SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (page is null)
        {
            return Problems.NotFound($"no status page \"{name}\"");
        }
        if (page.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"status page \"{name}\" is defined in vigil.yaml; change it there");
        }
        if (body is null)
        {
            return Problems.Field("body", "a JSON status page is required");
        }
        body.Name ??= name;
        if (body.Name != name)
        {
            return Problems.Field("name", "cannot be changed; delete the page and create a new one");
        }
        var errors = StatusPageRules.Validate(body, "").ToList();
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (await HostTakenAsync(db, body, cancellationToken))
        {
            return Problems.Field("host", $"host \"{body.Host}\" is already used by another status page");
        }
        page.Apply(body);
        page.UpdatedAt = clock.GetUtcNow();
        audit.Record("update", "status_page", page.Name);
        await db.SaveChangesAsync(cancellationToken);
        changes.Raise();
        return TypedResults.Ok(StatusPageView.From(page));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string name, VigilDbContext db, AuditLog audit, StatusChanges changes, CancellationToken cancellationToken)
    {
        var page = await db.Set<StoredStatusPage>().SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (page is null)
        {
            return Problems.NotFound($"no status page \"{name}\"");
        }
        if (page.Origin == ObjectOrigin.Config)
        {
            return Problems.Conflict($"status page \"{name}\" is defined in vigil.yaml; remove it there");
        }
        db.Remove(page);
        audit.Record("delete", "status_page", page.Name);
        await db.SaveChangesAsync(cancellationToken);
        changes.Raise();
        return TypedResults.NoContent();
    }

    private static async Task<bool> HostTakenAsync(VigilDbContext db, StatusPageDefinition body, CancellationToken cancellationToken)
    {
        if (body.Host is not { } host)
        {
            return false;
        }
        var lower = host.ToLowerInvariant();
        return await db.Set<StoredStatusPage>().AnyAsync(p => p.Host == lower && p.Name != body.Name, cancellationToken);
    }
}
