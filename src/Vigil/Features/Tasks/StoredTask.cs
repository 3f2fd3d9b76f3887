using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Vigil.Data;
using Vigil.Features.Catalog;

namespace Vigil.Features.Tasks;

/// <summary>A row of <c>recurring_tasks</c>: a task of vigil.yaml (read-only through the API) or one made through the API.</summary>
[SqliteSortableTimes]
public sealed class StoredTask
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public ObjectOrigin Origin { get; set; }
    public string DefinitionJson { get; set; } = "{}";
    /// <summary>When the task was first defined: due times before it do not count.</summary>
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public TaskDefinition Definition() => JsonSerializer.Deserialize<TaskDefinition>(DefinitionJson, Vigil.Data.DefinitionJson.Options)!;

    public void Apply(TaskDefinition d) => DefinitionJson = JsonSerializer.Serialize(d, Vigil.Data.DefinitionJson.Options);
}

/// <summary>A row of <c>task_completions</c>: a task done, for every due time up to <see cref="DueAt"/>, by whom, with what evidence.</summary>
[SqliteSortableTimes]
public sealed class TaskCompletion
{
    public long Id { get; set; }
    public required string Task { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset CompletedAt { get; set; }
    public required string CompletedBy { get; set; }
    public string? Note { get; set; }
    public string? Link { get; set; }
}

internal sealed class TaskMappings : IEntityTypeConfiguration<StoredTask>, IEntityTypeConfiguration<TaskCompletion>
{
    public void Configure(EntityTypeBuilder<StoredTask> builder)
    {
        builder.ToTable("recurring_tasks");
        builder.HasIndex(t => t.Name).IsUnique();
        builder.Property(t => t.Name).HasMaxLength(63);
        builder.Property(t => t.Origin).HasConversion<string>().HasMaxLength(16);
    }

    public void Configure(EntityTypeBuilder<TaskCompletion> builder)
    {
        builder.ToTable("task_completions");
        builder.HasIndex(c => new { c.Task, c.DueAt });
        builder.Property(c => c.Task).HasMaxLength(63);
        builder.Property(c => c.CompletedBy).HasMaxLength(200);
        builder.Property(c => c.Note).HasMaxLength(4000);
        builder.Property(c => c.Link).HasMaxLength(2000);
    }
}
