using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Data;
using Vigil.Hosting;

namespace Vigil.Features.Runbooks;

/// <summary>
/// <c>GET /api/runbooks</c>, <c>GET /api/runbooks/{name}</c>, <c>GET /api/runbooks/{name}/versions</c> and
/// <c>GET /api/runbooks/{name}/versions/{version}</c>: runbooks from the directory and from the API.
/// </summary>
public static class ReadRunbooks
{
    public sealed record RunbookView(
        string Name, string Title, RunbookRisk Risk, string? Frequency, string? Duration, string? Owner, IReadOnlyList<string> Services,
        string? Purpose, string? WhenToUse, string Origin, int? Version, string Url, IReadOnlyList<RunbookStep> Steps, string? Markdown,
        IReadOnlyList<string> Problems)
    {
        public static RunbookView From(RunbookEntry e, bool withMarkdown) => new(
            e.Runbook.Name, e.Runbook.Title, e.Runbook.Risk, e.Runbook.Frequency, e.Runbook.Duration, e.Runbook.Owner, e.Runbook.Services,
            e.Runbook.Purpose, e.Runbook.WhenToUse, e.Origin == Catalog.ObjectOrigin.Config ? "file" : "api", e.Version, $"/runbooks/{e.Runbook.Name}",
            e.Runbook.Steps, withMarkdown ? e.Runbook.Markdown : null, e.Problems.Select(p => $"line {p.Line}: {p.Reason}").ToList());
    }

    public sealed record VersionView(int Version, string? Author, DateTimeOffset CreatedAt, string? Markdown);

    /// <summary>All runbooks; with <c>service</c>, those whose front matter names it; with <c>incident</c>, those of the incident's services.</summary>
    public static async Task<Results<Ok<List<RunbookView>>, ProblemHttpResult>> List(string? service, string? incident, RunbookCatalog catalog, VigilDbContext db, CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? services = null;
        if (incident is not null)
        {
            var found = await db.Set<Incidents.Incident>().AsNoTracking().SingleOrDefaultAsync(i => i.HumanId == incident, cancellationToken);
            if (found is null)
            {
                return Problems.NotFound($"no incident {incident}");
            }
            services = found.Services.Select(s => s.Service).ToList();
        }
        return TypedResults.Ok((await catalog.ListAsync(db, cancellationToken))
            .Where(e => service is null || e.Runbook.Services.Contains(service))
            .Where(e => services is null || e.Runbook.Services.Intersect(services).Any())
            .Select(e => RunbookView.From(e, withMarkdown: false)).ToList());
    }

    public static async Task<Results<Ok<RunbookView>, ProblemHttpResult>> Get(string name, RunbookCatalog catalog, VigilDbContext db, CancellationToken cancellationToken) =>
        await catalog.FindAsync(db, name, cancellationToken) is { } entry
            ? TypedResults.Ok(RunbookView.From(entry, withMarkdown: true))
            : Problems.NotFound($"no runbook named \"{name}\"");

    public static async Task<Results<Ok<List<VersionView>>, ProblemHttpResult>> Versions(string name, RunbookCatalog catalog, VigilDbContext db, CancellationToken cancellationToken)
    {
        var versions = await db.Set<StoredRunbookVersion>().Where(v => v.Name == name).OrderByDescending(v => v.Version)
            .Select(v => new VersionView(v.Version, v.Author, v.CreatedAt, null)).ToListAsync(cancellationToken);
        return versions.Count > 0 || catalog.IsFile(name)
            ? TypedResults.Ok(versions)
            : Problems.NotFound($"no runbook named \"{name}\"");
    }

    public static async Task<Results<Ok<VersionView>, ProblemHttpResult>> Version(string name, int version, VigilDbContext db, CancellationToken cancellationToken) =>
        await db.Set<StoredRunbookVersion>().Where(v => v.Name == name && v.Version == version)
            .Select(v => new VersionView(v.Version, v.Author, v.CreatedAt, v.Markdown)).FirstOrDefaultAsync(cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : Problems.NotFound($"runbook \"{name}\" has no version {version}");
}
