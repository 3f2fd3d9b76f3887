using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigil.Features.Catalog;

/// <summary>Where an object was defined: in <c>vigil.yaml</c> (read-only through the API) or through the API.</summary>
public enum ObjectOrigin
{
    Api = 0,
    Config = 1,
}

/// <summary>What a dependency points at: another service in the catalog, or an external system.</summary>
public enum DependencyKind
{
    Service,
    Database,
    Cache,
    ThirdPartyApi,
    Queue,
    Storage,
    Other,
}

/// <summary>A service in the catalog: what it is, who owns it, where it runs and what it needs.</summary>
public sealed class Service
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public int? Tier { get; set; }
    public string? Owner { get; set; }
    public string? RepositoryUrl { get; set; }
    public string? DashboardUrl { get; set; }
    public string? RunbookUrl { get; set; }
    public List<string> Tags { get; set; } = [];
    public List<ServiceContact> Contacts { get; set; } = [];
    public List<ServiceEnvironment> Environments { get; set; } = [];
    public List<ServiceDependency> Dependencies { get; set; } = [];
    public ObjectOrigin Origin { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Someone to call about a service: the seeds' emergency contacts (a DBA, the CTO, a vendor's support line).</summary>
public sealed class ServiceContact
{
    public int Position { get; set; }
    public required string Name { get; set; }
    public string? Role { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
}

/// <summary>A place the service runs (production, staging, ...) and its URL there.</summary>
public sealed class ServiceEnvironment
{
    public int Position { get; set; }
    public required string Name { get; set; }
    public string? Url { get; set; }
    /// <summary>host:port of the metrics endpoint, or null when the environment is not scraped.</summary>
    public string? MetricsTarget { get; set; }
    public string? MetricsPath { get; set; }
    public string? MetricsScheme { get; set; }
    public TimeSpan? MetricsInterval { get; set; }
}

/// <summary>Something the service needs: another catalog service (by name) or an external system.</summary>
public sealed class ServiceDependency
{
    public int Position { get; set; }
    public DependencyKind Kind { get; set; }
    /// <summary>The catalog service's name, or the external system's name.</summary>
    public required string Target { get; set; }
    public bool Critical { get; set; }
    public string? Description { get; set; }
}

internal sealed class ServiceMapping : IEntityTypeConfiguration<Service>
{
    public void Configure(EntityTypeBuilder<Service> builder)
    {
        builder.ToTable("catalog_services");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.Name).IsUnique();
        builder.Property(s => s.Name).HasMaxLength(63);
        builder.Property(s => s.Origin).HasConversion<string>().HasMaxLength(16);
        builder.OwnsMany(s => s.Contacts, c =>
        {
            c.ToTable("catalog_service_contacts");
            c.WithOwner().HasForeignKey("ServiceId");
            c.Property<int>("Id");
            c.HasKey("Id");
        });
        builder.OwnsMany(s => s.Environments, e =>
        {
            e.ToTable("catalog_service_environments");
            e.WithOwner().HasForeignKey("ServiceId");
            e.Property<int>("Id");
            e.HasKey("Id");
            e.HasIndex(x => x.Name);
            e.Property(x => x.MetricsTarget).HasMaxLength(255);
            e.Property(x => x.MetricsPath).HasMaxLength(255);
            e.Property(x => x.MetricsScheme).HasMaxLength(8);
        });
        builder.OwnsMany(s => s.Dependencies, d =>
        {
            d.ToTable("catalog_service_dependencies");
            d.WithOwner().HasForeignKey("ServiceId");
            d.Property<int>("Id");
            d.HasKey("Id");
            d.Property(x => x.Kind).HasConversion<string>().HasMaxLength(32);
            d.HasIndex(x => x.Target);
        });
    }
}
