using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Features.Monitors.Scheduling;

namespace Vigil.Features.Monitors;

/// <summary>A monitor in API answers: its definition, where it came from, and its live state.</summary>
public sealed record MonitorView(
    string Name,
    MonitorType Type,
    string Service,
    string? Environment,
    string Origin,
    bool ReadOnly,
    bool Paused,
    MonitorStatus Status,
    DateTimeOffset? StatusSince,
    string Reason,
    string? PingUrl,
    string? LastPingLog,
    DateTimeOffset? LastPingAt,
    MonitorDefinition Definition,
    IReadOnlyList<ComponentResult> Components,
    IReadOnlyList<RecentResult> Recent)
{
    /// <param name="redact">For callers who may not edit monitors: no ping URL, no heartbeat token, no secret header values (<see cref="MonitorSecrets"/>).</param>
    public static MonitorView From(StoredMonitor m, MonitorState? state, SecretProtector secrets, bool withRecent = false, bool redact = false)
    {
        var definition = m.Definition(secrets);
        return new(
            m.Name, m.Type, m.Service, m.Environment,
            m.Origin == ObjectOrigin.Config ? "config" : "api", m.Origin == ObjectOrigin.Config, m.Paused,
            state?.Status ?? MonitorStatus.Unknown, state?.Since, state?.Reason ?? "",
            definition.Token is null || redact ? null : $"/ping/{definition.Token}", m.LastPingBody, m.LastPing,
            redact ? MonitorSecrets.Redact(definition) : definition, state?.Components ?? [], withRecent ? state?.Recent() ?? [] : []);
    }
}
