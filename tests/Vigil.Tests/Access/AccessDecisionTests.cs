using System.Text;
using Vigil.Features.Access;

namespace Vigil.Tests.Access;

/// <summary>The pure decisions of the access slice, as tables of cases.</summary>
public class AccessDecisionTests
{
    private static readonly byte[] RfcKey = Encoding.ASCII.GetBytes("12345678901234567890");

    /// <summary>RFC 6238 appendix B, the SHA-1 column (8 digits).</summary>
    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Totp_matches_the_rfc_6238_test_vectors(long unixSeconds, string expected)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        Assert.Equal(expected, Totp.Code(RfcKey, step, digits: 8));
        Assert.Equal(expected[2..], Totp.Code(RfcKey, step));
    }

    [Fact]
    public void Totp_accepts_one_step_of_drift_and_never_the_same_step_twice()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1111111111);
        var step = Totp.StepAt(now);

        Assert.Equal(step - 1, Totp.Verify(RfcKey, Totp.Code(RfcKey, step - 1), now, 0));
        Assert.Equal(step + 1, Totp.Verify(RfcKey, Totp.Code(RfcKey, step + 1), now, 0));
        Assert.Null(Totp.Verify(RfcKey, Totp.Code(RfcKey, step - 2), now, 0));
        Assert.Null(Totp.Verify(RfcKey, Totp.Code(RfcKey, step), now, lastUsedStep: step));
        Assert.Null(Totp.Verify(RfcKey, "12345", now, 0));
    }

    [Fact]
    public void Base32_encodes_as_rfc_4648_without_padding()
    {
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.Base32(RfcKey));
        Assert.Equal("MZXW6YQ", Totp.Base32(Encoding.ASCII.GetBytes("foob")));
    }

    private static readonly LockoutSettings Policy = new() { Failures = 5, Window = TimeSpan.FromMinutes(15), Duration = TimeSpan.FromMinutes(15) };
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, null, 0, 1, false)]
    [InlineData(3, 0, 10, 4, false)]
    [InlineData(4, 0, 14, 0, true)]
    [InlineData(4, 0, 15, 1, false)]
    [InlineData(4, 0, 20, 1, false)]
    public void Lockout_counts_failures_within_the_window(int count, int? firstMinute, int nowMinute, int expectedCount, bool locks)
    {
        var state = new FailureState(count, firstMinute is { } m ? T0.AddMinutes(m) : null, null);

        var (next, lockedNow) = Lockout.AfterFailure(state, T0.AddMinutes(nowMinute), Policy);

        Assert.Equal((expectedCount, locks), (next.Count, lockedNow));
        Assert.Equal(locks ? T0.AddMinutes(nowMinute + 15) : null, next.LockedUntil);
    }

    [Fact]
    public void A_rate_window_allows_the_limit_then_refuses_until_it_ends()
    {
        RateWindow? window = null;
        var allowed = 0;
        for (var i = 0; i < 5; i++)
        {
            var d = RateWindow.Take(window, T0.AddSeconds(i), limit: 3);
            window = d.Next;
            allowed += d.Allowed ? 1 : 0;
        }

        Assert.Equal(3, allowed);
        var refused = RateWindow.Take(window, T0.AddSeconds(50), 3);
        Assert.Equal((false, TimeSpan.FromSeconds(10)), (refused.Allowed, refused.RetryAfter));
        Assert.True(RateWindow.Take(window, T0.AddSeconds(60), 3).Allowed);
    }

    [Theory]
    [InlineData(Role.Viewer, Role.Viewer, true)]
    [InlineData(Role.Viewer, Role.Operator, false)] // operators also pause monitors and push metrics
    [InlineData(Role.Operator, Role.Viewer, true)]
    [InlineData(Role.Viewer, Role.Manager, false)]
    [InlineData(Role.Viewer, Role.Admin, false)]
    [InlineData(Role.Admin, Role.Manager, true)]
    [InlineData(Role.Admin, Role.SuperAdmin, false)]
    [InlineData(Role.SuperAdmin, Role.SuperAdmin, true)]
    [InlineData(Role.Admin, "root", false)]
    public void A_role_can_be_granted_only_by_someone_holding_all_its_permissions(string holder, string granted, bool allowed) =>
        Assert.Equal(allowed, RolePermissions.MayGrant(RolePermissions.Of(holder), granted));

    [Fact]
    public void An_endpoint_with_no_declared_permission_is_refused_even_to_super_admin()
    {
        var root = new Caller(CallerKind.Token, 1, "root", RolePermissions.Of(Role.SuperAdmin));

        Assert.Equal(AccessVerdict.Undeclared, AccessDecision.Decide(isPublic: false, [], root));
        Assert.Equal(AccessVerdict.Allowed, AccessDecision.Decide(isPublic: false, [Permission.AuditView], root));
        Assert.Equal(AccessVerdict.SignInRequired, AccessDecision.Decide(isPublic: false, [Permission.CatalogView], Caller.Anonymous));
        Assert.Equal(AccessVerdict.Allowed, AccessDecision.Decide(isPublic: true, [], Caller.Anonymous));
    }
}
