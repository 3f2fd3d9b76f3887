using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;

namespace Vigil.Features.Incidents;

/// <summary>An incident: what is wrong, how bad, who leads it, where it stands.</summary>
[SqliteSortableTimes]
public sealed class Incident
{
    public int Id { get; set; }
    /// <summary><c>INC-2026-001</c>: the year it opened and its number in that year.</summary>
    public required string HumanId { get; set; }
    public int Year { get; set; }
    public int Number { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public required string Severity { get; set; }
    public string Status { get; set; } = IncidentStatus.Triggered;
    /// <summary>manual, or alert (opened by a route with <c>open_incident: true</c>).</summary>
    public string Source { get; set; } = "manual";
    /// <summary>incident, security or drill (one of <see cref="IncidentType"/>); security incidents and drills are never public.</summary>
    public string Type { get; set; } = IncidentType.Incident;
    /// <summary>private (default) or public: only a public incident is shown on status pages, under its <see cref="PublicTitle"/>.</summary>
    public string Visibility { get; set; } = IncidentVisibility.Private;
    /// <summary>What the status page calls the incident; required to publish it (the internal title may be a raw alert name).</summary>
    public string? PublicTitle { get; set; }
    /// <summary>The alert group that opened it: later alerts of the group join it instead of opening another.</summary>
    public string? GroupKey { get; set; }
    public string? Commander { get; set; }
    public List<string> Responders { get; set; } = [];
    public List<IncidentService> Services { get; set; } = [];
    public DateTimeOffset OpenedAt { get; set; }
    public string? OpenedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>When the last status update promised the next one; the commander is reminded once it passes.</summary>
    public DateTimeOffset? NextUpdateDueAt { get; set; }
    public bool NextUpdateReminded { get; set; }
    /// <summary>SLA targets for which <c>IncidentSlaAtRisk</c> is firing now ("response", "resolution").</summary>
    public List<string> SlaAlerting { get; set; } = [];
    public bool IsOpen => Status != IncidentStatus.Resolved;

    /// <summary>The page subject the escalation of this incident runs under.</summary>
    public string PageSubject => $"incident:{HumanId}";
}

/// <summary>A service the incident affects and how (one of <see cref="Impact"/>).</summary>
public sealed class IncidentService
{
    public required string Service { get; set; }
    public string Impact { get; set; } = Incidents.Impact.PartialOutage;
}

/// <summary>One row of an incident's timeline: every state change, alert, page, acknowledgement, note and update.</summary>
[SqliteSortableTimes]
public sealed class IncidentEvent
{
    public long Id { get; set; }
    public int IncidentId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>opened, status, acknowledged, resolved, reopened, alert, page, note, update, role, service, severity, sla, reminder, runbook (a guided run's steps).</summary>
    public required string Kind { get; set; }
    public string? Actor { get; set; }
    public required string Text { get; set; }
    /// <summary>What the row is about when it can repeat: an alert's fingerprint, so an alert joins the timeline once.</summary>
    public string? Ref { get; set; }
    public Incident? Incident { get; set; }
}

/// <summary>A status update posted from the incident to channels and (when public) the status page.</summary>
[SqliteSortableTimes]
public sealed class IncidentUpdate
{
    public long Id { get; set; }
    public int IncidentId { get; set; }
    public required string Status { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Public { get; set; }
    /// <summary>What the status page shows for this update: the person's own words, never the internal template.</summary>
    public string? PublicText { get; set; }
    public string? Author { get; set; }
    public List<string> Channels { get; set; } = [];
}

/// <summary>The post-mortem of one incident; the timeline and duration come from the incident itself.</summary>
public sealed class PostMortem
{
    public int IncidentId { get; set; }
    public string? Summary { get; set; }
    public string? Impact { get; set; }
    public string? RootCause { get; set; }
    public string? Resolution { get; set; }
    public string? LessonsLearned { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>Something to do after an incident; open until someone marks it done.</summary>
[SqliteSortableTimes]
public sealed class ActionItem
{
    public int Id { get; set; }
    public int IncidentId { get; set; }
    public required string Title { get; set; }
    public string? Owner { get; set; }
    public DateOnly? DueOn { get; set; }
    /// <summary>open or done.</summary>
    public string Status { get; set; } = "open";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
}

/// <summary>The last incident number handed out in a year (one row per year; see <see cref="IncidentNumbers"/>).</summary>
public sealed class IncidentSequence
{
    public int Year { get; set; }
    public int Last { get; set; }
}

internal sealed class IncidentMappings :
    IEntityTypeConfiguration<Incident>, IEntityTypeConfiguration<IncidentEvent>, IEntityTypeConfiguration<IncidentUpdate>,
    IEntityTypeConfiguration<PostMortem>, IEntityTypeConfiguration<ActionItem>, IEntityTypeConfiguration<IncidentSequence>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.ToTable("incidents");
        builder.HasKey(i => i.Id);
        builder.HasIndex(i => i.HumanId).IsUnique();
        builder.HasIndex(i => new { i.Year, i.Number }).IsUnique();
        builder.HasIndex(i => i.Status);
        builder.HasIndex(i => i.GroupKey);
        builder.HasIndex(i => i.OpenedAt);
        builder.Property(i => i.HumanId).HasMaxLength(32);
        builder.Property(i => i.Title).HasMaxLength(300);
        builder.Property(i => i.Severity).HasMaxLength(32);
        builder.Property(i => i.Status).HasMaxLength(16);
        builder.Property(i => i.Source).HasMaxLength(16);
        builder.Property(i => i.Type).HasMaxLength(16);
        builder.Property(i => i.Visibility).HasMaxLength(16);
        builder.Property(i => i.PublicTitle).HasMaxLength(300);
        builder.Ignore(i => i.IsOpen);
        builder.Ignore(i => i.PageSubject);
        builder.OwnsMany(i => i.Services, s =>
        {
            s.ToTable("incident_services");
            s.WithOwner().HasForeignKey("IncidentId");
            s.Property<int>("Id");
            s.HasKey("Id");
            s.Property(x => x.Service).HasMaxLength(63);
            s.Property(x => x.Impact).HasMaxLength(32);
            s.HasIndex(x => x.Service);
        });
    }

    public void Configure(EntityTypeBuilder<IncidentEvent> builder)
    {
        builder.ToTable("incident_events");
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => new { e.IncidentId, e.At });
        builder.Property(e => e.Kind).HasMaxLength(16);
        builder.Property(e => e.Ref).HasMaxLength(64);
        builder.HasOne(e => e.Incident).WithMany().HasForeignKey(e => e.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<IncidentUpdate> builder)
    {
        builder.ToTable("incident_updates");
        builder.HasKey(u => u.Id);
        builder.HasIndex(u => new { u.IncidentId, u.At });
        builder.Property(u => u.Status).HasMaxLength(16);
        builder.HasOne<Incident>().WithMany().HasForeignKey(u => u.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<PostMortem> builder)
    {
        builder.ToTable("incident_post_mortems");
        builder.HasKey(p => p.IncidentId);
        builder.HasOne<Incident>().WithOne().HasForeignKey<PostMortem>(p => p.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<ActionItem> builder)
    {
        builder.ToTable("incident_action_items");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => new { a.Status, a.DueOn });
        builder.Property(a => a.Title).HasMaxLength(300);
        builder.Property(a => a.Status).HasMaxLength(8);
        builder.HasOne<Incident>().WithMany().HasForeignKey(a => a.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<IncidentSequence> builder)
    {
        builder.ToTable("incident_sequences");
        builder.HasKey(s => s.Year);
        builder.Property(s => s.Year).HasColumnName("year").ValueGeneratedNever();
        builder.Property(s => s.Last).HasColumnName("last_number");
    }
}
