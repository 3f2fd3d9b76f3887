using System.Diagnostics;
using Vigil.Metrics.Storage;

namespace Vigil.Metrics.PromQL;

/// <summary>
/// Evaluates PromQL over an <see cref="ISampleQuerier"/> with Prometheus 2.42 semantics. Each
/// selector's data is read once for the whole query range and then stepped through.
/// </summary>
/// <param name="options">Engine settings; defaults when null.</param>
public sealed class PromQLEngine(PromQLEngineOptions? options = null)
{
    /// <summary>The engine settings.</summary>
    public PromQLEngineOptions Options { get; } = options ?? new PromQLEngineOptions();

    /// <summary>
    /// Raised after every query the engine evaluated, successful or not, with its kind, how long it
    /// took and how many samples it loaded; the server turns these into its query metrics.
    /// </summary>
    public event Action<QueryStats>? QueryCompleted;

    /// <summary>Parses and evaluates <paramref name="query"/> at <paramref name="timeMs"/>.</summary>
    /// <exception cref="PromQLParseException">The query does not parse.</exception>
    /// <exception cref="PromQLEvaluationException">Evaluation failed (e.g. many-to-many matching, too many samples).</exception>
    public QueryValue InstantQuery(ISampleQuerier querier, string query, long timeMs, CancellationToken cancellationToken = default) =>
        InstantQuery(querier, PromQLParser.Parse(query), timeMs, cancellationToken);

    /// <summary>Evaluates a parsed expression at <paramref name="timeMs"/>.</summary>
    public QueryValue InstantQuery(ISampleQuerier querier, Expr expr, long timeMs, CancellationToken cancellationToken = default)
    {
        if (Options.Remote is { } remote)
        {
            return remote.Instant(PromQLPrinter.Print(expr), timeMs, cancellationToken);
        }
        var ctx = new QueryContext(querier, Options, timeMs, timeMs, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return EvalInstant(ctx, expr, timeMs);
        }
        finally
        {
            QueryCompleted?.Invoke(new QueryStats(QueryKind.Instant, Stopwatch.GetElapsedTime(started), ctx.SamplesLoaded));
        }
    }

    private static QueryValue EvalInstant(QueryContext ctx, Expr expr, long timeMs)
    {
        if (expr.Type == PromValueType.String)
        {
            return new StringValue(timeMs, StringOf(expr));
        }
        var ev = new Evaluator(ctx, timeMs, timeMs, 1);
        var mat = ev.Eval(expr);
        switch (expr.Type)
        {
            case PromValueType.Scalar:
                return new ScalarValue(timeMs, mat[0].Points[0].Value);
            case PromValueType.InstantVector:
                var samples = new VectorSample[mat.Count];
                for (var i = 0; i < mat.Count; i++)
                {
                    samples[i] = new VectorSample(mat[i].Labels, timeMs, mat[i].Points[0].Value);
                }
                return new VectorValue(samples);
            default:
                return new MatrixValue([.. mat.Select(s => new RangeSeries(s.Labels, s.Points))]);
        }
    }

    /// <summary>Parses and evaluates <paramref name="query"/> at every step from <paramref name="startMs"/> to <paramref name="endMs"/>.</summary>
    public MatrixValue RangeQuery(ISampleQuerier querier, string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken = default) =>
        RangeQuery(querier, PromQLParser.Parse(query), startMs, endMs, stepMs, cancellationToken);

    /// <summary>Evaluates a parsed expression as a range query; the result is sorted by labels.</summary>
    public MatrixValue RangeQuery(ISampleQuerier querier, Expr expr, long startMs, long endMs, long stepMs, CancellationToken cancellationToken = default)
    {
        if (expr.Type is not (PromValueType.Scalar or PromValueType.InstantVector))
        {
            throw new PromQLEvaluationException($"invalid expression type \"{Syntax.Describe(expr.Type)}\" for range query, must be Scalar or instant Vector");
        }
        if (stepMs <= 0)
        {
            throw new PromQLEvaluationException("zero or negative query resolution step widths are not accepted");
        }
        if (endMs < startMs)
        {
            throw new PromQLEvaluationException("end timestamp must not be before start time");
        }
        if (Options.Remote is { } remote)
        {
            return remote.Range(PromQLPrinter.Print(expr), startMs, endMs, stepMs, cancellationToken);
        }
        var ctx = new QueryContext(querier, Options, startMs, endMs, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var mat = new Evaluator(ctx, startMs, endMs, stepMs).Eval(expr);
            var series = new List<RangeSeries>(mat.Count);
            var sorted = true;
            foreach (var s in mat)
            {
                sorted = sorted && (series.Count == 0 || Labels.Compare(series[^1].Labels, s.Labels) <= 0);
                series.Add(new RangeSeries(s.Labels, s.Points));
            }
            if (!sorted)
            {
                series.Sort(static (a, b) => Labels.Compare(a.Labels, b.Labels));
            }
            return new MatrixValue(series);
        }
        finally
        {
            QueryCompleted?.Invoke(new QueryStats(QueryKind.Range, Stopwatch.GetElapsedTime(started), ctx.SamplesLoaded));
        }
    }

    internal static string StringOf(Expr e) => e switch
    {
        StringLiteral s => s.Value,
        ParenExpr p => StringOf(p.Inner),
        _ => throw new PromQLEvaluationException("expected a string"),
    };
}

/// <summary>What all evaluators of one query share: data source, settings, query bounds, sample budget.</summary>
internal sealed class QueryContext(ISampleQuerier querier, PromQLEngineOptions options, long queryStart, long queryEnd, CancellationToken cancellationToken)
{
    public ISampleQuerier Querier { get; } = querier;
    public long LookbackMs { get; } = (long)options.LookbackDelta.TotalMilliseconds;
    public long DefaultSubqueryStepMs { get; } = Math.Max(1, (long)options.DefaultSubqueryStep.TotalMilliseconds);
    public int MaxSamples { get; } = options.MaxSamples;
    public long QueryStart { get; } = queryStart;
    public long QueryEnd { get; } = queryEnd;
    public CancellationToken Cancellation { get; } = cancellationToken;

    /// <summary>
    /// Samples read from storage so far: one per step an instant selector found a sample, and every
    /// sample of every window a range selector gave a function (Prometheus's query stats
    /// <c>totalQueryableSamples</c>, approximately).
    /// </summary>
    public long SamplesLoaded { get; set; }

    /// <summary>Samples currently held by evaluated nodes (an approximation of Prometheus's accounting).</summary>
    public long CurrentSamples { get; set; }

    public void CheckSamples(long extra)
    {
        if (CurrentSamples + extra > MaxSamples)
        {
            throw new PromQLEvaluationException("query processing would load too many samples into memory in query execution");
        }
    }
}

/// <summary>Whether a query was evaluated at one time or at every step of a range.</summary>
public enum QueryKind
{
    /// <summary>An instant query (<c>/api/v1/query</c>, a rule evaluation).</summary>
    Instant,
    /// <summary>A range query (<c>/api/v1/query_range</c>).</summary>
    Range,
}

/// <summary>What one query cost.</summary>
/// <param name="Kind">Instant or range.</param>
/// <param name="Duration">Wall time of the evaluation (parsing and result writing excluded).</param>
/// <param name="SamplesLoaded">Samples read from storage, see <c>QueryContext.SamplesLoaded</c>.</param>
public sealed record QueryStats(QueryKind Kind, TimeSpan Duration, long SamplesLoaded);
