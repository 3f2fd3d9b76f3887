namespace Vigil.Features.Incidents;

/// <summary>The states of an incident, in the order a response usually moves through them.</summary>
public static class IncidentStatus
{
    public const string Triggered = "triggered";
    public const string Acknowledged = "acknowledged";
    public const string Investigating = "investigating";
    public const string Identified = "identified";
    public const string Monitoring = "monitoring";
    public const string Resolved = "resolved";

    public static IReadOnlyList<string> All { get; } = [Triggered, Acknowledged, Investigating, Identified, Monitoring, Resolved];

    public static bool IsOpen(string status) => status != Resolved;
}

public enum TransitionVerdict
{
    Allowed,
    UnknownState,
    AlreadyInState,
    /// <summary>Back to triggered or acknowledged once work has started; reopen is the only way back from resolved.</summary>
    NotAllowed,
    /// <summary>A resolved incident moves only through an explicit reopen.</summary>
    ResolvedNeedsReopen,
    /// <summary>Reopen applies to resolved incidents only.</summary>
    NotResolved,
}

/// <summary>
/// The lifecycle triggered → acknowledged → investigating → identified → monitoring → resolved
/// as a table. Work may skip ahead (straight to resolved) and move between investigating,
/// identified and monitoring as the picture changes, but not back to triggered or acknowledged;
/// a resolved incident changes only by reopening it (to triggered or investigating).
/// </summary>
public static class Lifecycle
{
    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [IncidentStatus.Triggered] = [IncidentStatus.Acknowledged, IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring, IncidentStatus.Resolved],
        [IncidentStatus.Acknowledged] = [IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring, IncidentStatus.Resolved],
        [IncidentStatus.Investigating] = [IncidentStatus.Identified, IncidentStatus.Monitoring, IncidentStatus.Resolved],
        [IncidentStatus.Identified] = [IncidentStatus.Investigating, IncidentStatus.Monitoring, IncidentStatus.Resolved],
        [IncidentStatus.Monitoring] = [IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Resolved],
        [IncidentStatus.Resolved] = [],
    };

    public static TransitionVerdict Transition(string from, string to) =>
        !Next.ContainsKey(to) ? TransitionVerdict.UnknownState
        : from == to ? TransitionVerdict.AlreadyInState
        : from == IncidentStatus.Resolved ? TransitionVerdict.ResolvedNeedsReopen
        : Next[from].Contains(to) ? TransitionVerdict.Allowed
        : TransitionVerdict.NotAllowed;

    public static TransitionVerdict Reopen(string from, string to) =>
        from != IncidentStatus.Resolved ? TransitionVerdict.NotResolved
        : to is IncidentStatus.Triggered or IncidentStatus.Investigating ? TransitionVerdict.Allowed
        : Next.ContainsKey(to) ? TransitionVerdict.NotAllowed
        : TransitionVerdict.UnknownState;

    public static string Explain(TransitionVerdict verdict, string from, string to) => verdict switch
    {
        TransitionVerdict.UnknownState => $"unknown state \"{to}\": use one of {string.Join(", ", IncidentStatus.All)}",
        TransitionVerdict.AlreadyInState => $"the incident is already {from}",
        TransitionVerdict.ResolvedNeedsReopen => $"the incident is resolved: reopen it (to triggered or investigating) before moving it to {to}",
        TransitionVerdict.NotResolved => $"only a resolved incident can be reopened; it is {from}",
        TransitionVerdict.NotAllowed when from == IncidentStatus.Resolved => $"a reopened incident starts again as triggered or investigating, not {to}",
        TransitionVerdict.NotAllowed => $"an incident that is {from} cannot go back to {to}",
        _ => "allowed",
    };
}
