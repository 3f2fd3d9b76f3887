using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Vigil.Features.Dashboards;

/// <summary>
/// A dashboard as sent to <c>POST /api/dashboards</c> and as <c>GET /api/dashboards/{id}/export</c>
/// writes it (so an export can be posted back as it is): panels on a 24-column grid, and variables.
/// Checked by <see cref="DashboardRules"/>.
/// </summary>
public sealed class DashboardDefinition
{
    public string? Title { get; set; }
    public string? Description { get; set; }
    public List<PanelDefinition>? Panels { get; set; }
    public List<VariableDefinition>? Variables { get; set; }
}

/// <summary>One panel: its PromQL targets, how it is drawn, and where it sits on the grid.</summary>
public sealed class PanelDefinition
{
    public string? Title { get; set; }
    /// <summary><c>timeseries</c>, <c>stat</c>, <c>gauge</c> or <c>table</c>.</summary>
    public string? Kind { get; set; }
    public List<TargetDefinition>? Targets { get; set; }
    public GridPosition? GridPos { get; set; }
    /// <summary>Grafana's unit ids where they matter here: <c>percent</c>, <c>percentunit</c>, <c>bytes</c>, <c>s</c>; any other is appended as written.</summary>
    public string? Unit { get; set; }
    /// <summary>The ends of a gauge's arc; 0 and 100 (or the highest threshold) when absent.</summary>
    public double? Min { get; set; }
    public double? Max { get; set; }
    /// <summary>Stat and gauge colours: a value takes the colour of the highest step at or below it; a step without a value is the base.</summary>
    public List<ThresholdStep>? Thresholds { get; set; }
}

/// <summary>A PromQL query and the legend of its series (<c>{{instance}}</c> is replaced by the label's value, as in Grafana).</summary>
public sealed class TargetDefinition
{
    public string? Expr { get; set; }
    public string? LegendFormat { get; set; }
}

/// <summary>Grafana's <c>gridPos</c>: 24 columns wide; a row of height 1 is 30 px.</summary>
public sealed class GridPosition
{
    public int X { get; set; }
    public int Y { get; set; }
    public int W { get; set; } = 12;
    public int H { get; set; } = 8;
}

public sealed class ThresholdStep
{
    public double? Value { get; set; }
    public string? Color { get; set; }
}

/// <summary>
/// A template variable, used in queries as <c>$name</c>, <c>${name}</c> or <c>[[name]]</c>:
/// <c>query</c> (<c>label_values(metric, label)</c> or <c>label_values(label)</c>, resolved against the
/// metrics store), <c>custom</c> (a fixed list of options) or <c>constant</c>.
/// </summary>
public sealed class VariableDefinition
{
    public string? Name { get; set; }
    public string? Label { get; set; }
    public string? Kind { get; set; }
    public string? Query { get; set; }
    public List<string>? Options { get; set; }
    /// <summary>The value chosen when the page names none: the constant, or a default option.</summary>
    public string? Value { get; set; }
}

/// <summary>A row of <c>dashboards</c>: the definition as validated, as JSON.</summary>
public sealed class StoredDashboard
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    /// <summary>Set on dashboards Vigil creates itself (<c>system-health</c>); unique, so replicas starting together create one.</summary>
    public string? BuiltIn { get; set; }
    public string DefinitionJson { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    private static JsonSerializerOptions Json => Data.DefinitionJson.Options;

    public DashboardDefinition Definition() => JsonSerializer.Deserialize<DashboardDefinition>(DefinitionJson, Json)!;

    public void Apply(DashboardDefinition d)
    {
        Title = d.Title!;
        Description = d.Description;
        DefinitionJson = JsonSerializer.Serialize(d, Json);
    }
}

internal sealed class DashboardMappings : IEntityTypeConfiguration<StoredDashboard>
{
    public void Configure(EntityTypeBuilder<StoredDashboard> builder)
    {
        builder.ToTable("dashboards");
        builder.HasIndex(d => d.BuiltIn).IsUnique();
        builder.Property(d => d.Title).HasMaxLength(200);
        builder.Property(d => d.Description).HasMaxLength(2000);
        builder.Property(d => d.BuiltIn).HasMaxLength(63);
    }
}
