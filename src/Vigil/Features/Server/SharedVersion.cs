using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Server;

/// <summary>
/// A version number every replica over one database can see move: the configuration reloaded
/// through the documented path (<c>ShareConfigReloads</c>), the status pages changed
/// (<c>ShareStatusChanges</c>). Each replica polls the row and acts when it grows.
/// </summary>
public sealed class SharedVersion
{
    public const string Config = "config";
    public const string StatusPages = "status_pages";

    public string Name { get; set; } = "";
    public long Version { get; set; }
    /// <summary>What the version stands for, when that matters (the configuration's fingerprint).</summary>
    public string? Value { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The row, or null before anyone wrote it.</summary>
    public static Task<SharedVersion?> ReadAsync(VigilDbContext db, string name, CancellationToken cancellationToken) =>
        db.Set<SharedVersion>().AsNoTracking().SingleOrDefaultAsync(v => v.Name == name, cancellationToken);

    /// <summary>Moves the version on by one (creating the row at 1) and returns the new version.</summary>
    public static async Task<long> BumpAsync(VigilDbContext db, string name, string? value, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var updated = await db.Set<SharedVersion>().Where(v => v.Name == name)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.Version, v => v.Version + 1).SetProperty(v => v.Value, value).SetProperty(v => v.UpdatedAt, now), cancellationToken);
            if (updated == 0)
            {
                try
                {
                    db.Set<SharedVersion>().Add(new SharedVersion { Name = name, Version = 1, Value = value, UpdatedAt = now });
                    await db.SaveChangesAsync(cancellationToken);
                    db.ChangeTracker.Clear();
                    return 1;
                }
                catch (DbUpdateException) when (attempt < 3)
                {
                    // Another replica created it first: count on top of theirs.
                    db.ChangeTracker.Clear();
                    continue;
                }
            }
            return (await ReadAsync(db, name, cancellationToken))?.Version ?? 0;
        }
    }
}

internal sealed class SharedVersionMapping : IEntityTypeConfiguration<SharedVersion>
{
    public void Configure(EntityTypeBuilder<SharedVersion> builder)
    {
        builder.ToTable("server_shared_versions");
        builder.HasKey(v => v.Name);
        builder.Property(v => v.Name).HasMaxLength(100);
        builder.Property(v => v.Value).HasMaxLength(200);
    }
}
