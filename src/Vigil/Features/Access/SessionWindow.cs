namespace Vigil.Features.Access;

public enum SessionVerdict
{
    Valid,
    /// <summary>Valid, and past half its window: issue the cookie again from now (sliding expiry).</summary>
    Renew,
    Expired,
}

/// <summary>Whether a console session is still open: at most <c>session_timeout</c> (the one in force now) since it was issued or last renewed.</summary>
public static class SessionWindow
{
    public static SessionVerdict Decide(DateTimeOffset? issuedAt, DateTimeOffset now, TimeSpan timeout)
    {
        if (issuedAt is not { } issued || now - issued >= timeout)
        {
            return SessionVerdict.Expired;
        }
        return now - issued > timeout / 2 ? SessionVerdict.Renew : SessionVerdict.Valid;
    }
}
