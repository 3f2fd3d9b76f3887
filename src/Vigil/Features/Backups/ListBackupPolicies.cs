using Vigil.Configuration;

namespace Vigil.Features.Backups;

/// <summary><c>GET /api/backups/policies</c>: the policies of <c>vigil.yaml</c> with their effective targets (given or from the tier).</summary>
public static class ListBackupPolicies
{
    public sealed record KindView(string Kind, string Schedule, string Grace);

    public sealed record PolicyView(
        string Name, string? Service, string? Description, string? Heartbeat, string? Rpo, string? Rto, IReadOnlyList<KindView> Kinds,
        Retention Retention, double SizeAnomalyRatio, string? DrillSchedule, bool ReadOnly);

    public static IReadOnlyList<BackupPolicy> Current(ConfigReloader config) =>
        [.. config.Current.Config.BackupPolicies.Select(BackupPolicyRules.Resolve)];

    public static PolicyView View(BackupPolicy p) => new(
        p.Name, p.Service, p.Description, p.Heartbeat, p.Rpo is { } rpo ? Duration.Format(rpo) : null, p.Rto is { } rto ? Duration.Format(rto) : null,
        [.. p.Kinds.Select(k => new KindView(k.Kind, k.Schedule, Duration.Format(k.Grace)))], p.Retention, p.SizeAnomalyRatio, p.DrillSchedule, ReadOnly: true);

    public static IResult Handle(ConfigReloader config) => TypedResults.Ok(Current(config).Select(View).ToList());
}
