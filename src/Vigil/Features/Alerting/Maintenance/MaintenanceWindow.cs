using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Features.Alerting.Routing;
using Vigil.Features.Catalog;

namespace Vigil.Features.Alerting.Maintenance;

/// <summary>A maintenance window, from <c>vigil.yaml</c> (read-only through the API) or from the API.</summary>
public sealed class MaintenanceWindow
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Service { get; set; }
    public string? Environment { get; set; }
    public string? Schedule { get; set; }
    public string? Cron { get; set; }
    public string? Duration { get; set; }
    public string? StartsAt { get; set; }
    public string? EndsAt { get; set; }
    public string? TimeZone { get; set; }
    public string? Comment { get; set; }
    public ObjectOrigin Origin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public MaintenanceWindowDefinition ToDefinition() => new()
    {
        Name = Name,
        Service = Service,
        Environment = Environment,
        Schedule = Schedule,
        Cron = Cron,
        Duration = Duration,
        StartsAt = StartsAt,
        EndsAt = EndsAt,
        TimeZone = TimeZone,
        Comment = Comment,
    };

    public void Apply(MaintenanceWindowDefinition d)
    {
        (Service, Environment, Schedule, Cron, Duration, StartsAt, EndsAt, TimeZone, Comment) =
            (d.Service!, d.Environment, d.Schedule, d.Cron, d.Duration, d.StartsAt, d.EndsAt, d.TimeZone, d.Comment);
    }
}

internal sealed class MaintenanceWindowMapping : IEntityTypeConfiguration<MaintenanceWindow>
{
    public void Configure(EntityTypeBuilder<MaintenanceWindow> builder)
    {
        builder.ToTable("maintenance_windows");
        builder.HasKey(w => w.Id);
        builder.HasIndex(w => w.Name).IsUnique();
        builder.Property(w => w.Name).HasMaxLength(100);
        builder.Property(w => w.Service).HasMaxLength(63);
        builder.Property(w => w.Origin).HasConversion<string>().HasMaxLength(16);
    }
}
