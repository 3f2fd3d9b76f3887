using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Access;

/// <summary>A person who signs in to the console (or whose tokens automation uses).</summary>
[SqliteSortableTimes]
public sealed class User
{
    public int Id { get; set; }
    public required string Username { get; set; }
    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    /// <summary>ASP.NET Core Identity's PBKDF2 format; null once the user is erased.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>Set for one-time passwords (first start, created by an admin): the console asks for a new one first.</summary>
    public bool MustChangePassword { get; set; }
    /// <summary>Changes when the password changes or the user is erased, ending every cookie session.</summary>
    public required string SecurityStamp { get; set; }
    /// <summary>The TOTP key, through <see cref="SecretProtector"/>; null until enrolment is confirmed.</summary>
    public string? MfaSecret { get; set; }
    /// <summary>The last TOTP time step accepted, so a code cannot be replayed.</summary>
    public long MfaLastStep { get; set; }
    public int FailedSignIns { get; set; }
    public DateTimeOffset? FirstFailedSignInAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
    /// <summary>When the user was erased (personal data request); the row stays with a pseudonym.</summary>
    public DateTimeOffset? ErasedAt { get; set; }
    public List<RoleAssignment> Roles { get; set; } = [];
    public List<RecoveryCode> RecoveryCodes { get; set; } = [];

    public bool MfaEnabled => MfaSecret is not null;

    /// <summary>The roles that apply everywhere (scoped ones apply only to their scope's objects).</summary>
    public IEnumerable<string> GlobalRoles => Roles.Where(r => r.Scope is null).Select(r => r.Role);
}

/// <summary>
/// A role held by a user: globally (<see cref="Scope"/> null) or within a scope such as
/// <c>team:payments</c>. A user may hold several; their permissions are the union.
/// </summary>
public sealed class RoleAssignment
{
    public int Id { get; set; }
    public int UserId { get; set; }
    public required string Role { get; set; }
    public string? Scope { get; set; }
}

/// <summary>A one-time MFA recovery code, kept as a SHA-256 hash.</summary>
public sealed class RecoveryCode
{
    public int Id { get; set; }
    public int UserId { get; set; }
    public required string Hash { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class UserMapping : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("access_users");
        builder.HasKey(u => u.Id);
        builder.HasIndex(u => u.Username).IsUnique();
        builder.Property(u => u.Username).HasMaxLength(100);
        builder.Property(u => u.SecurityStamp).HasMaxLength(64);
        builder.Ignore(u => u.MfaEnabled);
        builder.HasMany(u => u.Roles).WithOne().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(u => u.RecoveryCodes).WithOne().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RoleAssignmentMapping : IEntityTypeConfiguration<RoleAssignment>
{
    public void Configure(EntityTypeBuilder<RoleAssignment> builder)
    {
        builder.ToTable("access_role_assignments");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Role).HasMaxLength(32);
        builder.Property(r => r.Scope).HasMaxLength(100);
        builder.HasIndex(r => new { r.UserId, r.Role, r.Scope }).IsUnique();
    }
}

internal sealed class RecoveryCodeMapping : IEntityTypeConfiguration<RecoveryCode>
{
    public void Configure(EntityTypeBuilder<RecoveryCode> builder)
    {
        builder.ToTable("access_recovery_codes");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Hash).HasMaxLength(64);
    }
}
