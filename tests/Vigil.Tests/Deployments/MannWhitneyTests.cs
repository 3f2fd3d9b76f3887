using Vigil.Features.Deployments;

namespace Vigil.Tests.Deployments;

/// <summary>
/// Mann-Whitney U against SciPy's <c>mannwhitneyu(x, y, method="asymptotic")</c> (two-sided,
/// continuity and tie corrections). SciPy is not installed here, so the references are: the
/// example in SciPy's documentation (males/females, statistic 17.0, p 0.11134688653314041), and
/// values computed from SciPy's documented formula (mid-ranks, σ with the tie term, z with −½,
/// p = erfc(z/√2)) in double precision with Python's math.erfc.
/// </summary>
public sealed class MannWhitneyTests
{
    public static TheoryData<double[], double[], double, double> References => new()
    {
        // SciPy docs, scipy.stats.mannwhitneyu, Examples: MannwhitneyuResult(statistic=17.0, pvalue=0.11134688653314041).
        { [19, 22, 16, 29, 24], [20, 11, 17, 12], 17.0, 0.11134688653314041 },
        // Ties in both samples (the tie term is 3³−3 + 2³−2 = 30).
        { [1, 2, 2, 3], [2, 3, 4, 5], 2.5, 0.13665824773814753 },
        // A canary's error ratios all below the baseline's: a clear difference.
        { [0.1, 0.2, 0.15, 0.3, 0.25, 0.2, 0.1, 0.22, 0.18, 0.2], [1.1, 0.9, 1.3, 1.0, 0.95, 1.2, 1.05, 0.99, 1.15, 1.02], 0.0, 0.0001776106606889642 },
        // The same sample twice: no difference, p clipped to 1.
        { [1, 2, 3], [1, 2, 3], 4.5, 1.0 },
    };

    [Theory]
    [MemberData(nameof(References))]
    public void U_and_the_two_sided_p_value_match_scipy_asymptotic(double[] x, double[] y, double u, double p)
    {
        var result = MannWhitney.Test(x, y);

        Assert.Equal(u, result.U, 12);
        Assert.True(Math.Abs(result.PValue - p) < 1e-12 * Math.Max(1, p) + 1e-15, $"p = {result.PValue:R}, SciPy {p:R}");
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 0.6713732405408726)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(3.0, 2.2090496998585438e-05)]
    [InlineData(6.0, 2.1519736712498916e-17)]
    [InlineData(-1.0, 1.842700792949715)]
    public void Erfc_matches_the_reference_to_double_precision(double x, double expected) =>
        Assert.True(Math.Abs(MannWhitney.Erfc(x) - expected) <= 1e-13 * expected, $"erfc({x}) = {MannWhitney.Erfc(x):R}, expected {expected:R}");

    [Fact]
    public void Every_value_tied_is_no_evidence_of_a_difference() =>
        Assert.Equal(1.0, MannWhitney.Test([0.5, 0.5], [0.5, 0.5, 0.5]).PValue);
}
