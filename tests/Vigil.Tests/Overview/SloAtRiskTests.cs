using Vigil.Configuration;
using Vigil.Features.Overview;
using Vigil.Features.Slos;

namespace Vigil.Tests.Overview;

/// <summary>When the home lists an SLO as at risk: little budget left, or burning as fast as a workbook alert pair.</summary>
public sealed class SloAtRiskTests
{
    private static List<BurnRateView> Burns(params (string Window, double Burn)[] burns) =>
        [.. ErrorBudget.RecordedWindows.Select(w => Duration.Format(w)).Select(w => new BurnRateView(w, null, burns.FirstOrDefault(b => b.Window == w).Burn))];

    [Theory]
    [InlineData(0.9, null)]
    [InlineData(0.25, null)]
    [InlineData(0.2, "less than 25 % of the error budget left")]
    [InlineData(0.0, "error budget exhausted")]
    [InlineData(-0.4, "error budget exhausted")]
    public void Budget_left_alone_decides_when_nothing_burns_fast(double remaining, string? expected) =>
        Assert.Equal(expected, ReadOverview.AtRisk(remaining, Burns()));

    [Fact]
    public void A_fast_burn_over_both_windows_of_a_pair_is_at_risk_even_with_budget_left()
    {
        Assert.Equal("burning 14.4× over 1h and 5m", ReadOverview.AtRisk(0.95, Burns(("1h", 15), ("5m", 20))));
        Assert.Equal("burning 6× over 6h and 30m", ReadOverview.AtRisk(0.95, Burns(("6h", 7), ("30m", 6))));
        // Only the long window burns fast: the spike is over (the workbook's reset condition).
        Assert.Null(ReadOverview.AtRisk(0.95, Burns(("1h", 15), ("5m", 0.5))));
        Assert.Null(ReadOverview.AtRisk(null, Burns()));
    }

    [Theory]
    [InlineData("critical", 0)]
    [InlineData("Warning", 5)]
    [InlineData("sev-weird", 10)]
    [InlineData(null, 11)]
    public void Alert_severities_sort_worst_first_then_unknown_then_none(string? severity, int rank) =>
        Assert.Equal(rank, ReadOverview.SeverityRank(severity));
}
