namespace Vigil.Features.Deployments;

/// <summary>The result of a two-sided Mann-Whitney U test: U of the first sample, the z score and the p-value.</summary>
public sealed record MannWhitneyResult(double U, double Z, double PValue);

/// <summary>
/// The Mann-Whitney U rank test, two-sided, with the normal approximation as SciPy's
/// <c>scipy.stats.mannwhitneyu(x, y, method="asymptotic")</c> computes it
/// (https://docs.scipy.org/doc/scipy/reference/generated/scipy.stats.mannwhitneyu.html): U1 = R1 − n1(n1+1)/2
/// from mid-ranks; for two-sided, U = max(U1, n1·n2 − U1); μ = n1·n2/2;
/// σ = √(n1·n2/12 · ((n+1) − Σ(t³−t)/(n(n−1)))) with t the size of each group of ties;
/// z = (U − μ − ½)/σ (continuity correction); p = 2·(1 − Φ(z)), at most 1. This is the comparison
/// Netflix's Kayenta uses to judge a canary's metric against the baseline's.
/// </summary>
public static class MannWhitney
{
    public static MannWhitneyResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count == 0 || y.Count == 0)
        {
            throw new ArgumentException("both samples need at least one value");
        }
        double n1 = x.Count, n2 = y.Count, n = n1 + n2;
        var all = x.Select(v => (Value: v, First: true)).Concat(y.Select(v => (Value: v, First: false))).OrderBy(p => p.Value).ToList();
        double rankSumX = 0, tieTerm = 0;
        for (var i = 0; i < all.Count;)
        {
            var j = i;
            while (j + 1 < all.Count && all[j + 1].Value == all[i].Value)
            {
                j++;
            }
            var midRank = (i + j + 2) / 2.0;
            double ties = j - i + 1;
            tieTerm += (ties * ties * ties) - ties;
            for (var k = i; k <= j; k++)
            {
                rankSumX += all[k].First ? midRank : 0;
            }
            i = j + 1;
        }
        var u1 = rankSumX - (n1 * (n1 + 1) / 2);
        var u = Math.Max(u1, (n1 * n2) - u1);
        var mean = n1 * n2 / 2;
        var sigma = Math.Sqrt(n1 * n2 / 12 * (n + 1 - (tieTerm / (n * (n - 1)))));
        if (sigma == 0)
        {
            // Every value tied: no evidence of a difference.
            return new MannWhitneyResult(u1, 0, 1);
        }
        var z = (u - mean - 0.5) / sigma;
        return new MannWhitneyResult(u1, z, Math.Min(1, 2 * NormalSurvival(z)));
    }

    /// <summary>1 − Φ(z) = erfc(z/√2)/2.</summary>
    public static double NormalSurvival(double z) => Erfc(z / Math.Sqrt(2)) / 2;

    /// <summary>
    /// The complementary error function, from W. J. Cody's rational approximations ("Rational
    /// Chebyshev approximations for the error function", Math. Comp. 23, 1969), as in his
    /// CALERF routine; relative error below 1e-15 across the real line.
    /// </summary>
    public static double Erfc(double x)
    {
        var ax = Math.Abs(x);
        double result;
        if (ax < 0.5)
        {
            double[] a = [3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1];
            double[] b = [2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03];
            var y2 = x * x;
            var num = a[4] * y2;
            var den = y2;
            for (var i = 0; i < 3; i++)
            {
                num = (num + a[i]) * y2;
                den = (den + b[i]) * y2;
            }
            return 1 - (x * (num + a[3]) / (den + b[3]));
        }
        if (ax <= 4)
        {
            double[] c = [5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8];
            double[] d = [1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03];
            var num = c[8] * ax;
            var den = ax;
            for (var i = 0; i < 7; i++)
            {
                num = (num + c[i]) * ax;
                den = (den + d[i]) * ax;
            }
            result = (num + c[7]) / (den + d[7]);
        }
        else
        {
            double[] p = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
            double[] q = [2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
            var z2 = 1 / (ax * ax);
            var num = p[5] * z2;
            var den = z2;
            for (var i = 0; i < 4; i++)
            {
                num = (num + p[i]) * z2;
                den = (den + q[i]) * z2;
            }
            result = z2 * (num + p[4]) / (den + q[4]);
            result = (0.56418958354775628695 - result) / ax;
        }
        // exp(-x²) split as in CALERF to keep precision for large x.
        var truncated = Math.Truncate(ax * 16) / 16;
        var delta = (ax - truncated) * (ax + truncated);
        result *= Math.Exp(-truncated * truncated) * Math.Exp(-delta);
        return x < 0 ? 2 - result : result;
    }
}
