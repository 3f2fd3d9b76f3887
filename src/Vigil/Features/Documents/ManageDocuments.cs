using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Documents;

/// <summary>
/// <c>/api/documents</c>: list every document (from <c>vigil.yaml</c>, read-only, and from the
/// API), and create, update and delete the API ones. Bad input is a problem naming the field; a
/// change is audited.
/// </summary>
public static class ManageDocuments
{
    public sealed record DocumentView(string Name, string Kind, string? Owner, string? Service, DateTimeOffset ExpiresAt, IReadOnlyList<string> Reminders, bool ReadOnly,
        string? Reminder, string? Severity);

    public static DocumentView View(ExpiringDoc d, DateTimeOffset now)
    {
        var due = DocumentReminders.Due(d, now);
        return new(d.Name, d.Kind, d.Owner, d.Service, d.ExpiresAt, [.. d.Reminders.Select(DocumentRules.FormatReminder)], d.Origin == "config",
            due is null ? null : due.Threshold ?? "expired", due?.Severity);
    }

    /// <summary>Every document: the config's first, then the API's, each by expiry.</summary>
    public static async Task<IReadOnlyList<ExpiringDoc>> AllAsync(ConfigReloader config, VigilDbContext db, CancellationToken cancellationToken)
    {
        var fromConfig = config.Current.Config.Documents.Select(d => DocumentRules.Resolve(d, "config")).ToList();
        var stored = await db.Set<StoredDocument>().AsNoTracking().ToListAsync(cancellationToken);
        return [.. fromConfig.Concat(stored.Select(s => s.ToDoc()).Where(s => fromConfig.All(c => c.Name != s.Name))).OrderBy(d => d.ExpiresAt).ThenBy(d => d.Name, StringComparer.Ordinal)];
    }

    public static async Task<IResult> List(ConfigReloader config, VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return TypedResults.Ok((await AllAsync(config, db, cancellationToken)).Select(d => View(d, now)).ToList());
    }

    public static async Task<IResult> Get(string name, ConfigReloader config, VigilDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        (await AllAsync(config, db, cancellationToken)).FirstOrDefault(d => d.Name == name) is { } doc
            ? TypedResults.Ok(View(doc, clock.GetUtcNow()))
            : Hosting.Problems.NotFound($"no document \"{name}\"");

    /// <summary>The shared create/update path (API and console form): null and the saved document, or the errors and nothing saved.</summary>
    public static async Task<(ExpiringDoc? Saved, IReadOnlyList<FieldError> Errors, bool NotFound)> SaveAsync(
        DocumentDefinition request, string? existingName, ConfigReloader config, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var services = config.Current.Config.Services.Select(s => s.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        request.Name ??= existingName;
        List<FieldError> errors = [.. DocumentRules.Validate(request, "", services)];
        if (existingName is not null && request.Name != existingName)
        {
            errors.Add(new("name", "a document cannot be renamed; delete it and create another"));
        }
        if (request.Name is { } name && config.Current.Config.Documents.Any(d => d.Name == name))
        {
            errors.Add(new("name", $"\"{name}\" is defined in vigil.yaml and is read-only"));
        }
        if (errors.Count > 0)
        {
            return (null, errors, false);
        }
        var doc = DocumentRules.Resolve(request, "api");
        var now = clock.GetUtcNow();
        var row = await db.Set<StoredDocument>().FirstOrDefaultAsync(d => d.Name == doc.Name, cancellationToken);
        if (existingName is null && row is not null)
        {
            return (null, [new("name", $"a document \"{doc.Name}\" already exists")], false);
        }
        if (existingName is not null && row is null)
        {
            return (null, [], true);
        }
        row ??= db.Add(new StoredDocument { Name = doc.Name, Kind = doc.Kind, Reminders = "", CreatedAt = now }).Entity;
        row.Kind = doc.Kind;
        row.Owner = doc.Owner;
        row.Service = doc.Service;
        row.ExpiresAt = doc.ExpiresAt;
        row.Reminders = StoredDocument.FormatReminders(doc.Reminders);
        row.UpdatedAt = now;
        audit.Record(existingName is null ? "create" : "update", "document", doc.Name, new { kind = doc.Kind, expires_at = doc.ExpiresAt, owner = doc.Owner });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            return (null, [new("name", $"a document \"{doc.Name}\" already exists")], false);
        }
        return (doc, [], false);
    }

    public static async Task<IResult> Create(DocumentDefinition request, ConfigReloader config, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (saved, errors, _) = await SaveAsync(request, null, config, db, audit, clock, cancellationToken);
        return saved is null ? Hosting.Problems.Validation(errors)
            : TypedResults.Created($"/api/documents/{Uri.EscapeDataString(saved.Name)}", View(saved, clock.GetUtcNow()));
    }

    public static async Task<IResult> Update(string name, DocumentDefinition request, ConfigReloader config, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (saved, errors, notFound) = await SaveAsync(request, name, config, db, audit, clock, cancellationToken);
        return notFound ? Hosting.Problems.NotFound($"no document \"{name}\"")
            : saved is null ? Hosting.Problems.Validation(errors)
            : TypedResults.Ok(View(saved, clock.GetUtcNow()));
    }

    public static async Task<IResult> Delete(string name, ConfigReloader config, VigilDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        if (config.Current.Config.Documents.Any(d => d.Name == name))
        {
            return Hosting.Problems.Field("name", $"\"{name}\" is defined in vigil.yaml and is read-only");
        }
        if (await db.Set<StoredDocument>().FirstOrDefaultAsync(d => d.Name == name, cancellationToken) is not { } row)
        {
            return Hosting.Problems.NotFound($"no document \"{name}\"");
        }
        db.Remove(row);
        audit.Record("delete", "document", name);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
