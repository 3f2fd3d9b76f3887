using Vigil.Features.Metrics.PrometheusApi;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;
using static Vigil.Features.Metrics.PrometheusApi.PrometheusJson;

namespace Vigil.Features.Metrics;

/// <summary>
/// The one evaluation path of every PromQL query a person or a client asks for: the Prometheus API's
/// <c>query</c> and <c>query_range</c>, and the console's <c>/graph</c>. Both get the same limits:
/// <c>metrics.query_max_samples</c> (held by the engine), <c>metrics.query_timeout</c> (a request may
/// ask for less, never more, as Prometheus caps <c>timeout</c> by <c>--query.timeout</c>) and at most
/// 11,000 steps per series. Every failure is an <see cref="ApiError"/> with Prometheus's type and
/// message, so the console shows what the API answers.
/// </summary>
public sealed class EvaluateQuery(ISampleStore store, PromQLEngine engine, Hosting.ServeOptions options)
{
    /// <summary>How long a query may run at most.</summary>
    public TimeSpan Timeout => options.Metrics.QueryTimeout;

    /// <summary>Parses a query; a syntax error is a <c>bad_data</c> error on the <c>query</c> parameter.</summary>
    public static Expr Parse(string? query)
    {
        try
        {
            return PromQLParser.Parse(query ?? "");
        }
        catch (PromQLParseException e)
        {
            throw new BadParameterException("query", e.Message);
        }
    }

    /// <summary>Evaluates <paramref name="expr"/> at one time.</summary>
    public Task<QueryValue> InstantAsync(Expr expr, long timeMs, TimeSpan? timeout, CancellationToken cancellationToken) =>
        RunAsync(timeout, token => engine.InstantQuery(store, expr, timeMs, token), cancellationToken);

    /// <summary>Evaluates <paramref name="expr"/> at every step of a range.</summary>
    public Task<MatrixValue> RangeAsync(Expr expr, long startMs, long endMs, long stepMs, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (ApiParameters.CheckRange(startMs, endMs, stepMs) is { } rangeError)
        {
            throw new ApiError(ErrorType.BadData, rangeError);
        }
        if (expr.Type is not (PromValueType.Scalar or PromValueType.InstantVector))
        {
            throw new BadParameterException("query", $"invalid expression type \"{ApiParameters.Describe(expr.Type)}\" for range query, must be Scalar or instant Vector");
        }
        return RunAsync(timeout, token => engine.RangeQuery(store, expr, startMs, endMs, stepMs, token), cancellationToken);
    }

    private async Task<T> RunAsync<T>(TimeSpan? requested, Func<CancellationToken, T> evaluate, CancellationToken cancellationToken)
    {
        var limit = requested is { } r && r < Timeout ? r : Timeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            // Off the request thread, so that the timeout is observed while the engine works.
            return await Task.Run(() => evaluate(timeout.Token), timeout.Token);
        }
        catch (PromQLEvaluationException e)
        {
            throw new ApiError(ErrorType.Execution, e.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiError(ErrorType.Timeout, "query timed out in expression evaluation");
        }
    }
}
