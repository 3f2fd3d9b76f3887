namespace Vigil.Features.OnCall.Escalation;

public enum StepKind
{
    /// <summary>Not due, or nothing more happens on its own (acknowledged, resolved, exhausted).</summary>
    Wait,
    /// <summary>Page <see cref="Step.Level"/> of <see cref="Step.Cycle"/>, then wait until <see cref="Step.NextAt"/>.</summary>
    PageLevel,
    /// <summary>The last level (and repeat) went unanswered: stop, nobody left to page.</summary>
    Exhaust,
}

public sealed record Step(StepKind Kind, int Level, int Cycle, DateTimeOffset? NextAt);

/// <summary>
/// What an escalation does next, as a pure function of its state, its policy and <c>now</c>.
/// A page starts at level 0; when a level's <c>delay</c> passes without an acknowledgement the
/// next level is paged; after the last level the policy starts over while repeats are left, else
/// it is exhausted. An acknowledgement stops this unless the policy escalates <c>until: resolved</c>.
/// (PagerDuty's model: "escalation rules ... repeat N times"; an acknowledged incident stops escalating.)
/// </summary>
public static class EscalationStep
{
    public static Step First(EscalationPolicyDefinition policy, DateTimeOffset now) =>
        new(StepKind.PageLevel, 0, 0, DueAfter(policy, 0, now));

    public static Step Decide(PageStatus status, int level, int cycle, DateTimeOffset? nextAt, EscalationPolicyDefinition policy, DateTimeOffset now)
    {
        if (nextAt is not { } due || due > now || status is PageStatus.Resolved or PageStatus.Exhausted)
        {
            return new(StepKind.Wait, level, cycle, nextAt);
        }
        if (status == PageStatus.Acknowledged && !EscalatesWhileAcknowledged(policy))
        {
            return new(StepKind.Wait, level, cycle, null);
        }
        var levels = policy.Levels?.Count ?? 0;
        if (level + 1 < levels)
        {
            // Measured from when the level was due, not from when the loop got to it, so a late loop does not shift the policy.
            return new(StepKind.PageLevel, level + 1, cycle, DueAfter(policy, level + 1, due));
        }
        if (cycle < policy.Repeat)
        {
            return new(StepKind.PageLevel, 0, cycle + 1, DueAfter(policy, 0, due));
        }
        return new(StepKind.Exhaust, level, cycle, null);
    }

    public static bool EscalatesWhileAcknowledged(EscalationPolicyDefinition policy) => policy.Until == "resolved";

    /// <summary>When the level paged at <paramref name="pagedAt"/> gives way; a last level without a delay is exhausted at once.</summary>
    private static DateTimeOffset DueAfter(EscalationPolicyDefinition policy, int level, DateTimeOffset pagedAt) =>
        pagedAt + (policy.Levels![level].Delay ?? TimeSpan.Zero);
}
