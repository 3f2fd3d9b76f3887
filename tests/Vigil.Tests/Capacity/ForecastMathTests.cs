using Vigil.Features.Capacity;
using Vigil.Metrics;

namespace Vigil.Tests.Capacity;

/// <summary>Forecasts against closed forms: compound growth value × factor^(t / period), and a line's crossing.</summary>
public sealed class ForecastMathTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("3x/year", 3, 365)]
    [InlineData("3x a year", 3, 365)]
    [InlineData("+20%/month", 1.2, 365 / 12.0)]
    [InlineData("+50%/quarter", 1.5, 365 / 4.0)]
    [InlineData("-10% per week", 0.9, 7)]
    [InlineData("+5%/30d", 1.05, 30)]
    public void Growth_models_read_as_a_factor_per_period(string text, double factor, double days)
    {
        var (model, error) = GrowthModel.Parse(text);

        Assert.Null(error);
        Assert.Equal(factor, model!.Factor, 12);
        Assert.Equal(days, model.Period.TotalDays, 9);
    }

    [Fact]
    public void Three_x_a_year_and_twenty_percent_a_month_projections_match_the_closed_form()
    {
        var threeX = GrowthModel.Parse("3x/year").Model!;
        var monthly = GrowthModel.Parse("+20%/month").Model!;
        var history = new[] { new Sample(Now.AddDays(-1).ToUnixTimeMilliseconds(), 1000), new Sample(Now.ToUnixTimeMilliseconds(), 1000) };

        var yearly = Forecast.Of(new Dictionary<string, string>(), history, Now, TimeSpan.FromDays(365), limit: 9000, threeX);
        var byMonth = Forecast.Of(new Dictionary<string, string>(), history, Now, TimeSpan.FromDays(365), limit: null, monthly);

        // 1000 × 3^(t / 1 year): 1000 now, 1000 × √3 at six months, 3000 at twelve.
        Assert.Equal([1000, 1000 * Math.Sqrt(3), 3000], yearly.Projection.Select(r => r.Growth!.Value).ToArray(), new ToleranceComparer(1e-6));
        // 1000 × 1.2^months: 1.2^6 = 2.985984, 1.2^12 = 8.916100448256.
        Assert.Equal([1000, 2985.984, 8916.100448256], byMonth.Projection.Select(r => r.Growth!.Value).ToArray(), new ToleranceComparer(1e-6));
        // 9000 = 1000 × 3^t: t = ln 9 / ln 3 = 2 years.
        Assert.Equal(Now.AddDays(730), yearly.LimitReachedByGrowth!.Value, TimeSpan.FromSeconds(1));
        // The flat history has no trend: it never reaches the limit.
        Assert.Equal((0.0, (DateTimeOffset?)null), (yearly.SlopePerDay, yearly.LimitReachedByTrend));
    }

    [Fact]
    public void A_linear_history_reaches_its_limit_where_the_line_crosses_it()
    {
        // 100 + 24 a day, hourly for ten days up to now (340 now): 1000 is 660 / 24 = 27.5 days away.
        var history = Enumerable.Range(0, 241).Select(h => new Sample(Now.AddHours(h - 240).ToUnixTimeMilliseconds(), 100 + h)).ToArray();

        var forecast = Forecast.Of(new Dictionary<string, string>(), history, Now, TimeSpan.FromDays(90), limit: 1000, growth: null);

        Assert.Equal(24, forecast.SlopePerDay!.Value, 9);
        Assert.Equal(Now.AddDays(27.5), forecast.LimitReachedByTrend!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(340 + (24 * 182.5), forecast.Projection[1].Trend!.Value, 6);
        Assert.Equal(121, forecast.Trend.Count);
        Assert.Equal(340 + (24 * 90), forecast.Trend[^1].Value, 6);
        Assert.Null(Forecast.LinearTimeToReach(340, -1, 1000));
        Assert.Equal(TimeSpan.Zero, Forecast.LinearTimeToReach(1200, 1, 1000));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
