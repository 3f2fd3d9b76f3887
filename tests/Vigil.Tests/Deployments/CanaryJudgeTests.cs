using Vigil.Features.Deployments;

namespace Vigil.Tests.Deployments;

/// <summary>The per-metric canary verdict: significant and large is fail, one of the two marginal, absolute limits fail.</summary>
public sealed class CanaryJudgeTests
{
    private static readonly double[] Baseline = [0.010, 0.012, 0.009, 0.011, 0.010, 0.013, 0.008, 0.011, 0.010, 0.012];

    [Fact]
    public void A_canary_whose_error_ratio_rose_fivefold_fails()
    {
        double[] canary = [0.05, 0.06, 0.055, 0.052, 0.061, 0.049, 0.058, 0.05, 0.057, 0.06];
        var verdict = CanaryJudge.Judge("error_ratio", canary, Baseline, new MetricCriteria());
        Assert.Equal(CanaryVerdict.Fail, verdict.Verdict);
        Assert.True(verdict.PValue < 0.05, verdict.Reason);
        Assert.True(verdict.EffectSize > 4, verdict.Reason);
    }

    [Fact]
    public void A_canary_like_its_baseline_passes_and_one_that_is_better_passes_too()
    {
        double[] same = [0.011, 0.010, 0.012, 0.009, 0.010, 0.011, 0.013, 0.010, 0.009, 0.012];
        Assert.Equal(CanaryVerdict.Pass, CanaryJudge.Judge("error_ratio", same, Baseline, new MetricCriteria()).Verdict);
        double[] better = [0.001, 0.002, 0.001, 0.0, 0.001, 0.002, 0.001, 0.001, 0.0, 0.001];
        Assert.Equal(CanaryVerdict.Pass, CanaryJudge.Judge("error_ratio", better, Baseline, new MetricCriteria()).Verdict);
        // Lower is worse for throughput: the same "better" canary fails there.
        Assert.Equal(CanaryVerdict.Fail, CanaryJudge.Judge("throughput", better, Baseline, new MetricCriteria(Direction: "decrease")).Verdict);
    }

    [Fact]
    public void Significantly_but_slightly_worse_is_marginal()
    {
        // 0.100..0.109 s against 0.110..0.119 s: apart, so the test is sure, but only 9.5 % worse (below 1.2).
        double[] baseline = [.. Enumerable.Range(0, 10).Select(i => 0.100 + (i * 0.001))];
        double[] canary = [.. baseline.Select(v => v + 0.010)];
        var verdict = CanaryJudge.Judge("latency_p95", canary, baseline, new MetricCriteria());
        Assert.Equal(CanaryVerdict.Marginal, verdict.Verdict);
        Assert.Contains("significantly but slightly", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_limit_fails_a_canary_whatever_the_baseline_and_too_few_samples_are_marginal()
    {
        double[] canary = [0.2, 0.21, 0.19, 0.2, 0.22];
        double[] badBaseline = [0.2, 0.2, 0.21, 0.19, 0.2];
        Assert.Equal(CanaryVerdict.Fail, CanaryJudge.Judge("error_ratio", canary, badBaseline, new MetricCriteria(Max: 0.05)).Verdict);
        Assert.Equal(CanaryVerdict.Pass, CanaryJudge.Judge("error_ratio", canary, badBaseline, new MetricCriteria()).Verdict);
        Assert.Equal(CanaryVerdict.Marginal, CanaryJudge.Judge("error_ratio", [0.5, 0.6], Baseline, new MetricCriteria()).Verdict);
        Assert.Equal(CanaryVerdict.Fail, CanaryVerdict.Worst([CanaryVerdict.Pass, CanaryVerdict.Fail, CanaryVerdict.Marginal]));
    }
}
