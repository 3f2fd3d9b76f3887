namespace Vigil.Features.Access;

/// <summary>A user's failed sign-ins: how many since the first in the current window, and until when the account is locked.</summary>
public readonly record struct FailureState(int Count, DateTimeOffset? FirstAt, DateTimeOffset? LockedUntil);

/// <summary>
/// The account-lock rule: after <see cref="LockoutSettings.Failures"/> failures within
/// <see cref="LockoutSettings.Window"/>, the account is locked for <see cref="LockoutSettings.Duration"/>.
/// A success clears the count.
/// </summary>
public static class Lockout
{
    public static bool IsLocked(FailureState state, DateTimeOffset now) => state.LockedUntil > now;

    /// <summary>The state after one more failure at <paramref name="now"/>, and whether this failure locked the account.</summary>
    public static (FailureState Next, bool LockedNow) AfterFailure(FailureState state, DateTimeOffset now, LockoutSettings policy)
    {
        var inWindow = state.FirstAt is { } first && now - first < policy.Window;
        var next = inWindow ? state with { Count = state.Count + 1 } : new FailureState(1, now, state.LockedUntil);
        if (next.Count >= policy.Failures)
        {
            return (new FailureState(0, null, now + policy.Duration), true);
        }
        return (next, false);
    }
}
