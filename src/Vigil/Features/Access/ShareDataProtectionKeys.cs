using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// The Data Protection keys (they sign console sessions and encrypt stored secrets) live in the
/// database, so that every replica over one PostgreSQL reads the same key ring: a session opened
/// on one replica works on the others, and a secret encrypted by one is decrypted by all.
/// Versions before kept them as files in <c>DATA/keys</c>; at start those files are copied into
/// the database (once: a key already there is skipped), so sessions and secrets made before the
/// upgrade keep working. The files are left in place and are no longer read.
/// </summary>
public static class ShareDataProtectionKeys
{
    /// <summary>
    /// Makes the key ring's first key now, on its own connection, before anything else writes. Left
    /// to the first secret that is encrypted, the key's INSERT would run while that caller's own
    /// transaction holds SQLite's single write lock, and wait for it until the command timed out.
    /// </summary>
    public static void EnsureKey(IServiceProvider services) =>
        services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector("vigil.start").Protect([0]);

    public static async Task<int> ImportFileKeysAsync(IServiceProvider services, string dataDirectory, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(dataDirectory, "keys");
        if (!Directory.Exists(directory))
        {
            return 0;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var known = (await db.DataProtectionKeys.Select(k => k.FriendlyName).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var imported = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "key-*.xml").Order(StringComparer.Ordinal))
        {
            // The file repository names a key's file after the name the database repository stores
            // it under: "key-{id}".
            var name = Path.GetFileNameWithoutExtension(file);
            if (known.Contains(name))
            {
                continue;
            }
            var xml = XElement.Parse(await File.ReadAllTextAsync(file, cancellationToken));
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = name, Xml = xml.ToString(SaveOptions.DisableFormatting) });
            imported++;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (imported > 0)
        {
            scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ShareDataProtectionKeys))
                .LogInformation("Copied {Count} Data Protection keys from {Directory} into the database", imported, directory);
        }
        return imported;
    }
}

internal sealed class DataProtectionKeyMapping : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("access_data_protection_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.FriendlyName).HasMaxLength(100);
    }
}
