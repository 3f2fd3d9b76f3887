namespace Vigil.Metrics.PromQL;

/// <summary>The value of an evaluated PromQL query: scalar, string, instant vector or matrix.</summary>
public abstract record QueryValue;

/// <summary>A scalar result.</summary>
/// <param name="TimestampMs">The evaluation time.</param>
/// <param name="Value">The number.</param>
public sealed record ScalarValue(long TimestampMs, double Value) : QueryValue;

/// <summary>A string result.</summary>
/// <param name="TimestampMs">The evaluation time.</param>
/// <param name="Value">The string.</param>
public sealed record StringValue(long TimestampMs, string Value) : QueryValue;

/// <summary>One element of an instant vector.</summary>
/// <param name="Labels">The series' labels.</param>
/// <param name="TimestampMs">The evaluation time.</param>
/// <param name="Value">The value.</param>
public readonly record struct VectorSample(Labels Labels, long TimestampMs, double Value);

/// <summary>An instant vector result, in the order the engine produced it (significant for <c>sort</c>, <c>topk</c>).</summary>
/// <param name="Samples">The samples.</param>
public sealed record VectorValue(IReadOnlyList<VectorSample> Samples) : QueryValue;

/// <summary>One series of a matrix result.</summary>
/// <param name="Labels">The series' labels.</param>
/// <param name="Points">Points in ascending time order.</param>
public sealed record RangeSeries(Labels Labels, IReadOnlyList<Sample> Points);

/// <summary>A matrix result: a range query's result, or a range-vector expression evaluated instantly.</summary>
/// <param name="Series">The series, sorted by labels for range queries.</param>
public sealed record MatrixValue(IReadOnlyList<RangeSeries> Series) : QueryValue;

/// <summary>Settings of the PromQL engine.</summary>
public sealed record PromQLEngineOptions
{
    /// <summary>How far back an instant selector looks for the latest sample (Prometheus <c>--query.lookback-delta</c>).</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most samples a query may hold in memory at once (Prometheus <c>--query.max-samples</c>).</summary>
    public int MaxSamples { get; init; } = 50_000_000;

    /// <summary>Step of subqueries written without one, <c>x[1h:]</c>.</summary>
    public TimeSpan DefaultSubqueryStep { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// An external Prometheus-compatible query API that answers instead of this engine (the
    /// querier passed in is then not read); null to evaluate here.
    /// </summary>
    public IRemoteQueryApi? Remote { get; init; }
}

/// <summary>
/// A Prometheus-compatible query API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>) that
/// evaluates PromQL text. Failures are thrown as <see cref="PromQLEvaluationException"/>.
/// </summary>
public interface IRemoteQueryApi
{
    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/>.</summary>
    QueryValue Instant(string query, long timeMs, CancellationToken cancellationToken);

    /// <summary>Evaluates <paramref name="query"/> at every step of a range.</summary>
    MatrixValue Range(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken);
}
