namespace Vigil.Features.Deployments;

/// <summary>The verdict of one canary metric (or of a whole step: its worst metric).</summary>
public static class CanaryVerdict
{
    public const string Pass = "pass";
    public const string Marginal = "marginal";
    public const string Fail = "fail";

    public static string Worst(IEnumerable<string> verdicts) =>
        verdicts.Contains(Fail) ? Fail : verdicts.Contains(Marginal) ? Marginal : Pass;
}

/// <summary>One metric's comparison over a step's hold time: the verdict and the numbers behind it.</summary>
public sealed record MetricJudgement(
    string Metric, string Verdict, string Reason, int CanaryCount, int BaselineCount,
    double? CanaryMean, double? BaselineMean, double? EffectSize, double? PValue);

/// <summary>How one metric is judged: which way is bad, how sure and how large a difference must be, and absolute limits.</summary>
/// <param name="Direction"><c>increase</c> (higher is worse: errors, latency), <c>decrease</c> (lower is worse: throughput) or <c>either</c>, as Kayenta's metric <c>direction</c>.</param>
/// <param name="Confidence">How sure the difference must be, e.g. 0.95: the test's p-value must be below 1 − confidence.</param>
/// <param name="EffectSize">How large the worse difference must be, as the ratio of the means (Kayenta's allowed increase/decrease), e.g. 1.2 = 20 % worse.</param>
/// <param name="Max">The canary's mean must not exceed this, whatever the baseline does (e.g. an error ratio of 0.05).</param>
/// <param name="Min">The canary's mean must not fall below this.</param>
public sealed record MetricCriteria(string Direction = "increase", double Confidence = 0.95, double EffectSize = 1.2, double? Max = null, double? Min = null, int MinSamples = 5);

/// <summary>
/// Judges a canary metric against its baseline as Netflix's Kayenta does (its Mann-Whitney classifier,
/// github.com/spinnaker/kayenta, "kayenta-judge" NetflixACAJudge): the two series over the hold time are
/// compared with a two-sided Mann-Whitney U test (<see cref="MannWhitney"/>), and a metric is bad only when
/// the difference is both significant (p &lt; 1 − confidence) and large (the ratio of the means in the bad
/// direction at least the effect size). Vigil's three levels: <c>fail</c> when it is both, or when an absolute
/// limit is crossed; <c>marginal</c> when it is worse in the bad direction but only one of the two holds, or
/// when either series has fewer than <c>MinSamples</c> values; <c>pass</c> otherwise.
/// </summary>
public static class CanaryJudge
{
    public static MetricJudgement Judge(string metric, IReadOnlyList<double> canary, IReadOnlyList<double> baseline, MetricCriteria criteria)
    {
        canary = [.. canary.Where(double.IsFinite)];
        baseline = [.. baseline.Where(double.IsFinite)];
        double? canaryMean = canary.Count > 0 ? canary.Average() : null;
        double? baselineMean = baseline.Count > 0 ? baseline.Average() : null;
        if (canaryMean is { } above && criteria.Max is { } max && above > max)
        {
            return new(metric, CanaryVerdict.Fail, $"the canary's mean {above:G4} is above the limit {max:G4}", canary.Count, baseline.Count, canaryMean, baselineMean, null, null);
        }
        if (canaryMean is { } below && criteria.Min is { } min && below < min)
        {
            return new(metric, CanaryVerdict.Fail, $"the canary's mean {below:G4} is below the limit {min:G4}", canary.Count, baseline.Count, canaryMean, baselineMean, null, null);
        }
        if (canary.Count < criteria.MinSamples || baseline.Count < criteria.MinSamples)
        {
            return new(metric, CanaryVerdict.Marginal, $"too few samples to compare ({canary.Count} canary, {baseline.Count} baseline; {criteria.MinSamples} needed)", canary.Count, baseline.Count, canaryMean, baselineMean, null, null);
        }
        var test = MannWhitney.Test(canary, baseline);
        var (c, b) = (canaryMean!.Value, baselineMean!.Value);
        // The ratio of the means in the bad direction: above 1 means the canary is worse.
        var increase = Ratio(c, b);
        var decrease = Ratio(b, c);
        var effect = criteria.Direction switch
        {
            "decrease" => decrease,
            "either" => Math.Max(increase, decrease),
            _ => increase,
        };
        var significant = test.PValue < 1 - criteria.Confidence;
        var large = effect >= criteria.EffectSize;
        var numbers = $"means {c:G4} (canary) and {b:G4} (baseline), ratio {effect:G4}, p = {test.PValue:G3}";
        if (effect > 1 && significant && large)
        {
            return new(metric, CanaryVerdict.Fail, $"worse: {numbers}", canary.Count, baseline.Count, c, b, effect, test.PValue);
        }
        if (effect > 1 && (significant || large))
        {
            return new(metric, CanaryVerdict.Marginal, $"{(significant ? "significantly but slightly" : "much but not significantly")} worse: {numbers}", canary.Count, baseline.Count, c, b, effect, test.PValue);
        }
        return new(metric, CanaryVerdict.Pass, numbers, canary.Count, baseline.Count, c, b, effect, test.PValue);
    }

    /// <summary>worse / better, with 0 / 0 as no difference and x / 0 as infinitely worse.</summary>
    private static double Ratio(double worse, double better) =>
        better == 0 ? (worse == 0 ? 1 : double.PositiveInfinity) : worse / better;
}
