namespace Vigil.Features.OnCall;

/// <summary>One entry of <c>schedules:</c>: an on-call schedule of rotation layers.</summary>
public sealed class ScheduleDefinition
{
    public string? Name { get; set; }
}
