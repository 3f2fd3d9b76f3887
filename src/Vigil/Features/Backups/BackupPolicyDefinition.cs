using Vigil.Configuration;

namespace Vigil.Features.Backups;

/// <summary>
/// A backup policy under <c>backup_policies:</c> in <c>vigil.yaml</c>: what a service or data
/// set is expected to be backed up as (<see cref="Kinds"/>, each on a schedule), what the kept set
/// must hold (<see cref="Retention"/>, grandfather-father-son), and how much may be lost and how
/// long a restore may take (<see cref="Rpo"/>, <see cref="Rto"/>, or both from <see cref="Tier"/>).
/// Checked by <see cref="BackupPolicyRules"/>.
/// </summary>
public sealed class BackupPolicyDefinition
{
    [ConfigRequired]
    public string? Name { get; set; }
    /// <summary>The catalog service the data belongs to, if any.</summary>
    public string? Service { get; set; }
    public string? Description { get; set; }
    /// <summary>The heartbeat monitor the backup job pings; a ping with a JSON body is a backup report (<see cref="ReportByPing"/>).</summary>
    public string? Heartbeat { get; set; }
    /// <summary><c>critical</c>, <c>important</c> or <c>standard</c>: RPO and RTO from <see cref="BackupPolicyRules.TierTargets"/> unless given.</summary>
    public string? Tier { get; set; }
    /// <summary>Recovery point objective: the most data (as time) a restore may lose.</summary>
    public TimeSpan? Rpo { get; set; }
    /// <summary>Recovery time objective: the longest a restore may take.</summary>
    public TimeSpan? Rto { get; set; }
    /// <summary>How late a backup may be before it counts as missing (default 10% of its interval, at least 1m).</summary>
    public TimeSpan? Grace { get; set; }
    [ConfigRequired]
    public List<BackupKindDefinition> Kinds { get; set; } = [];
    public RetentionDefinition? Retention { get; set; }
    /// <summary>A backup this many times smaller or larger than the median of the recent ones of its kind is an anomaly (default 2; 0 turns the check off).</summary>
    public double? SizeAnomalyRatio { get; set; }
    /// <summary>How many earlier good backups of the same kind the size is compared with (their median; default 10, at least 3 needed).</summary>
    public int? SizeAnomalyWindow { get; set; }
    /// <summary>A successful <c>verification</c> report is required at least this often (none required when unset).</summary>
    public TimeSpan? VerifyEvery { get; set; }
    /// <summary>How often a restore drill is due: <c>weekly</c>, <c>monthly</c>, <c>quarterly</c>, <c>annual</c> or a five-field cron expression.</summary>
    public string? DrillSchedule { get; set; }
}

/// <summary>One kind of backup the policy expects, with its schedule: <c>every</c> (a period) or <c>schedule</c> (cron).</summary>
public sealed class BackupKindDefinition
{
    /// <summary><c>full</c>, <c>incremental</c>, <c>wal</c>, <c>snapshot</c> or <c>replication</c>.</summary>
    [ConfigRequired]
    public string? Kind { get; set; }
    public TimeSpan? Every { get; set; }
    /// <summary>A five-field cron expression in UTC, e.g. <c>0 2 * * *</c>.</summary>
    public string? Schedule { get; set; }
}

/// <summary>Grandfather-father-son retention: how many daily, weekly, monthly and yearly backups must be kept.</summary>
public sealed class RetentionDefinition
{
    public int? Daily { get; set; }
    public int? Weekly { get; set; }
    public int? Monthly { get; set; }
    public int? Yearly { get; set; }
}
