using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.Runbooks;

/// <summary>A runbook as the API and console show it: from a file (read-only) or saved through the API (versioned).</summary>
public sealed record RunbookEntry(Runbook Runbook, ObjectOrigin Origin, int? Version, IReadOnlyList<ConfigError> Problems);

/// <summary>
/// The runbooks in force: those of the runbooks directory, replaced on every reload, over those
/// saved through the API (latest version of each). A file wins over an API runbook of the same
/// name, and the API refuses to save under a file's name.
/// </summary>
public sealed class RunbookCatalog : IConfigConsumer
{
    private volatile RunbookSettings settings = new();

    public RunbookSettings Settings => settings;

    public IReadOnlyList<Runbook> Files => settings.Loaded;

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        settings = config.Runbooks;
        return Task.CompletedTask;
    }

    public bool IsFile(string name) => Files.Any(r => r.Name == name);

    public async Task<IReadOnlyList<RunbookEntry>> ListAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        var latest = await db.Set<StoredRunbookVersion>()
            .Where(v => v.Version == db.Set<StoredRunbookVersion>().Where(o => o.Name == v.Name).Max(o => o.Version))
            .ToListAsync(cancellationToken);
        return Files.Select(r => new RunbookEntry(r, ObjectOrigin.Config, null, []))
            .Concat(latest.Where(v => !IsFile(v.Name)).Select(ToEntry))
            .OrderBy(e => e.Runbook.Title, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public async Task<RunbookEntry?> FindAsync(VigilDbContext db, string name, CancellationToken cancellationToken)
    {
        if (Files.FirstOrDefault(r => r.Name == name) is { } file)
        {
            return new RunbookEntry(file, ObjectOrigin.Config, null, []);
        }
        var version = await db.Set<StoredRunbookVersion>().Where(v => v.Name == name).OrderByDescending(v => v.Version).FirstOrDefaultAsync(cancellationToken);
        return version is null ? null : ToEntry(version);
    }

    /// <summary>A saved version read with today's allow-list: one that no longer passes is shown with its problems.</summary>
    public RunbookEntry ToEntry(StoredRunbookVersion version)
    {
        var (runbook, problems) = ParseRunbook.Parse(version.Name + ".md", version.Name, version.Markdown, settings);
        return new RunbookEntry(runbook with { File = null }, ObjectOrigin.Api, version.Version, problems);
    }
}
