using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Hosting;

namespace Vigil.Features.Runbooks;

/// <summary>
/// <c>PUT /api/runbooks/{name}</c> with <c>{"markdown": "..."}</c>: saves a new version of a runbook made
/// through the API (the first version creates it). It must pass the same check as a file
/// (<see cref="ParseRunbook"/>); a runbook of the runbooks directory is read-only here (edit the file).
/// </summary>
public static partial class SaveRunbook
{
    public sealed record RunbookBody([property: DocumentText] string? Markdown);

    public static async Task<Results<Ok<ReadRunbooks.RunbookView>, ValidationProblem, ProblemHttpResult>> Handle(
        string name, RunbookBody? body, RunbookCatalog catalog, VigilDbContext db, AuditLog audit, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!ValidName().IsMatch(name))
        {
            return Problems.Field("name", "a runbook name is 1 to 63 lowercase letters, digits, '-' or '_', starting with a letter or digit");
        }
        if (string.IsNullOrWhiteSpace(body?.Markdown))
        {
            return Problems.Field("markdown", "the runbook's Markdown is required");
        }
        if (catalog.IsFile(name))
        {
            return Problems.Conflict($"runbook \"{name}\" is a file of the runbooks directory and is read-only through the API; edit the file");
        }
        var (_, errors) = ParseRunbook.Parse(name + ".md", name, body.Markdown, catalog.Settings);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors.Select(e => new FieldError("markdown", $"line {e.Line}: {e.Reason}")));
        }
        var last = await db.Set<StoredRunbookVersion>().Where(v => v.Name == name).MaxAsync(v => (int?)v.Version, cancellationToken) ?? 0;
        var version = new StoredRunbookVersion
        {
            Name = name,
            Version = last + 1,
            Markdown = body.Markdown,
            Author = http.Caller().Username,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Add(version);
        audit.Record(last == 0 ? "create" : "update", "runbook", name, new { version = version.Version });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ReadRunbooks.RunbookView.From(catalog.ToEntry(version), withMarkdown: true));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex ValidName();
}
