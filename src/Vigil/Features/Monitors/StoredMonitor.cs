using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Hosting;

namespace Vigil.Features.Monitors;

/// <summary>
/// A monitor as stored: the columns Vigil filters and joins on, and the whole definition as JSON
/// (the same snake_case document the API takes). Heartbeat pings are kept on the row.
/// </summary>
public sealed class StoredMonitor
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Service { get; set; }
    public string? Environment { get; set; }
    public MonitorType Type { get; set; }
    public ObjectOrigin Origin { get; set; }
    public bool Paused { get; set; }
    /// <summary>
    /// The SHA-256 (hex) of the heartbeat secret in <c>/ping/{token}</c>, as <see cref="Access.ApiToken.HashOf"/>;
    /// null for other types. The token itself is in the definition, encrypted (<see cref="MonitorSecrets"/>).
    /// </summary>
    public string? Token { get; set; }
    public string DefinitionJson { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSuccessPing { get; set; }
    public DateTimeOffset? LastStartPing { get; set; }
    public DateTimeOffset? LastFailPing { get; set; }

    /// <summary>A heartbeat's newest ping of any kind (success, start or fail); null before the first.</summary>
    public DateTimeOffset? LastPing => new[] { LastSuccessPing, LastStartPing, LastFailPing }.Max();

    /// <summary>The body of the last ping (at most 10 KB): the job's log.</summary>
    public string? LastPingBody { get; set; }

    private static JsonSerializerOptions Json => Vigil.Data.DefinitionJson.Options;

    /// <summary>The definition with its secrets in clear: for probes and editors only (viewers get <see cref="MonitorSecrets.Redact"/> of it).</summary>
    public MonitorDefinition Definition(SecretProtector secrets) => MonitorSecrets.Unprotect(StoredDefinition(), secrets);

    /// <summary>The definition as stored, its secrets encrypted: for reading what is not a secret (interval, impact).</summary>
    public MonitorDefinition StoredDefinition() => JsonSerializer.Deserialize<MonitorDefinition>(DefinitionJson, Json)!;

    /// <summary>Whether the stored definition still holds a secret in clear (a row written before secrets were encrypted).</summary>
    public bool HasClearSecrets() => MonitorSecrets.HasClearSecrets(StoredDefinition());

    /// <summary>
    /// Copies a valid definition onto the row; a heartbeat keeps its token unless a new one is given.
    /// The definition given gets the token; the row keeps the token's hash and the definition with
    /// its secrets encrypted.
    /// </summary>
    public void Apply(MonitorDefinition d, SecretProtector secrets)
    {
        var stored = StoredDefinition();
        var existingToken = stored.Token is null ? null : MonitorSecrets.Unprotect(StoredDefinition(), secrets).Token;
        Name = d.Name!;
        Service = d.Service!;
        Environment = d.Environment;
        Type = d.Type!.Value;
        Paused = d.Paused ?? Paused;
        d.Token = Type != MonitorType.Heartbeat ? null : d.Token ?? existingToken ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        Token = d.Token is null ? null : ApiToken.HashOf(d.Token);
        d.Paused = null;
        var copy = JsonSerializer.Deserialize<MonitorDefinition>(JsonSerializer.Serialize(d, Json), Json)!;
        DefinitionJson = JsonSerializer.Serialize(MonitorSecrets.Protect(copy, secrets, MonitorSecrets.ProtectedValues(stored, secrets)), Json);
    }
}

/// <summary>A monitor's state from <see cref="At"/> until the next change: the history uptime is computed from.</summary>
public sealed class StateChange
{
    public long Id { get; set; }
    public required string Monitor { get; set; }
    public DateTimeOffset At { get; set; }
    public MonitorStatus Status { get; set; }
    public required string Reason { get; set; }
}

/// <summary>
/// One period Vigil was running: written at start and its <see cref="LastSeenAt"/> moved every
/// minute. Time between runs is time nobody was checking: unknown, not down.
/// </summary>
public sealed class VigilRun
{
    public long Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

internal sealed class MonitorMappings : IEntityTypeConfiguration<StoredMonitor>, IEntityTypeConfiguration<StateChange>, IEntityTypeConfiguration<VigilRun>
{
    // Instants that are compared and ordered in queries are stored as Unix milliseconds: SQLite
    // cannot order DateTimeOffset, and both databases then sort them the same way.
    private static readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long> UnixMilliseconds =
        new(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));

    public void Configure(EntityTypeBuilder<StoredMonitor> builder)
    {
        builder.ToTable("monitors_monitors");
        builder.HasIndex(m => m.Name).IsUnique();
        builder.HasIndex(m => m.Token).IsUnique();
        builder.HasIndex(m => m.Service);
        builder.Property(m => m.Name).HasMaxLength(63);
        builder.Property(m => m.Service).HasMaxLength(63);
        builder.Property(m => m.Environment).HasMaxLength(63);
        builder.Property(m => m.Token).HasMaxLength(64);
        builder.Property(m => m.Type).HasConversion<string>().HasMaxLength(32);
        builder.Property(m => m.Origin).HasConversion<string>().HasMaxLength(16);
    }

    public void Configure(EntityTypeBuilder<StateChange> builder)
    {
        builder.ToTable("monitors_state_changes");
        builder.HasIndex(s => new { s.Monitor, s.At });
        builder.Property(s => s.Monitor).HasMaxLength(63);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Reason).HasMaxLength(500);
        builder.Property(s => s.At).HasConversion(UnixMilliseconds);
    }

    public void Configure(EntityTypeBuilder<VigilRun> builder)
    {
        builder.ToTable("monitors_vigil_runs");
        builder.HasIndex(r => r.StartedAt);
        builder.Property(r => r.StartedAt).HasConversion(UnixMilliseconds);
        builder.Property(r => r.LastSeenAt).HasConversion(UnixMilliseconds);
    }
}
