using Vigil.Features.Alerting.Rules;
using Vigil.Metrics;

namespace Vigil.Features.Alerting.Evaluation;

/// <summary>A group as its last evaluation left it, for <c>/api/rules</c> and the console (read without locks).</summary>
public sealed record RuleGroupSnapshot(
    RuleGroup Group,
    TimeSpan Interval,
    long Evaluations,
    DateTimeOffset? LastEvaluation,
    TimeSpan LastDuration,
    IReadOnlyList<RuleSnapshot> Rules);

public sealed record RuleSnapshot(Rule Rule, RuleHealth? Health, IReadOnlyList<AlertSnapshot> Alerts);

public sealed record AlertSnapshot(
    Labels Labels,
    Labels Annotations,
    AlertPhase Phase,
    double Value,
    DateTimeOffset ActiveAt,
    DateTimeOffset? FiredAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? LastSentAt);
