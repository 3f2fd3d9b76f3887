namespace Vigil.Features.Access;

public enum AccessVerdict
{
    Allowed,
    /// <summary>The endpoint needs a permission and the caller has not signed in: 401 (pages: to the sign-in page).</summary>
    SignInRequired,
    /// <summary>Signed in, without the permission: 403.</summary>
    Forbidden,
    /// <summary>The endpoint declares neither a permission nor that it is public: refused to everyone (fail closed).</summary>
    Undeclared,
    /// <summary>Signed in with a one-time password that must be changed first.</summary>
    PasswordChangeRequired,
    /// <summary>Signed in, but the user's role requires MFA and the user has not enrolled.</summary>
    MfaEnrolmentRequired,
}

/// <summary>Whether a caller may use an endpoint, from the endpoint's declared permissions alone.</summary>
public static class AccessDecision
{
    public static AccessVerdict Decide(bool isPublic, IReadOnlyList<string> required, Caller caller)
    {
        if (isPublic)
        {
            return AccessVerdict.Allowed;
        }
        if (required.Count == 0)
        {
            return AccessVerdict.Undeclared;
        }
        if (!caller.IsAuthenticated)
        {
            return AccessVerdict.SignInRequired;
        }
        // One's own account pages stay open in the console, so the password can be changed and MFA
        // enrolled; a token gets nothing, not even new tokens, until its owner has done so.
        var isAccountEndpoint = caller.Kind == CallerKind.Session && required.All(p => p == Permission.AccountSelf);
        if (!isAccountEndpoint && caller.MustChangePassword)
        {
            return AccessVerdict.PasswordChangeRequired;
        }
        if (!isAccountEndpoint && caller.MustEnrolMfa)
        {
            return AccessVerdict.MfaEnrolmentRequired;
        }
        return required.All(caller.Has) ? AccessVerdict.Allowed : AccessVerdict.Forbidden;
    }
}
