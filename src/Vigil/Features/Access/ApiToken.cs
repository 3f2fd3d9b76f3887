using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>
/// A bearer token for the CLI and automation. Only its SHA-256 hash is stored: the token is 32
/// random bytes, so a fast hash is enough (there is nothing to guess), and a lookup by hash is one
/// index seek. Its permissions are its role's, and never more than its owner's at the time of use.
/// </summary>
[SqliteSortableTimes]
public sealed class ApiToken
{
    /// <summary>Secret scanners (GitHub, gitleaks) can be taught this prefix.</summary>
    public const string Prefix = "vgl_";

    public int Id { get; set; }
    public int UserId { get; set; }
    public User? User { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    /// <summary>The first characters of the token, to recognise it in a list.</summary>
    public required string Hint { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public static string NewSecret() =>
        Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string HashOf(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed class ApiTokenMapping : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("access_api_tokens");
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => t.Hash).IsUnique();
        builder.Property(t => t.Hash).HasMaxLength(64);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.Hint).HasMaxLength(16);
        builder.Property(t => t.Role).HasMaxLength(32);
        builder.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
