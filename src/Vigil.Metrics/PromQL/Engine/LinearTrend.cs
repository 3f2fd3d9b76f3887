namespace Vigil.Metrics.PromQL;

/// <summary>
/// The least-squares line that <c>predict_linear</c> and <c>deriv</c> fit (Prometheus
/// <c>promql/functions.go</c> <c>linearRegression</c>, with Kahan summation), for forecasts outside the engine.
/// </summary>
public static class LinearTrend
{
    /// <summary>Fits value = intercept + slope × (t − <paramref name="interceptTimeMs"/>) / 1000 over <paramref name="points"/> (at least two).</summary>
    /// <returns>The slope per second and the value at <paramref name="interceptTimeMs"/>; a constant series has slope 0.</returns>
    public static (double Slope, double Intercept) Fit(ReadOnlySpan<Sample> points, long interceptTimeMs) =>
        RangeFunctions.LinearRegression(points, interceptTimeMs);
}
