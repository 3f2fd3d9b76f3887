using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Vigil.Metrics;
using Vigil.Metrics.PromQL;
using Vigil.Metrics.Storage;
using static Vigil.Features.Metrics.PrometheusApi.PrometheusJson;

namespace Vigil.Features.Metrics.PrometheusApi;

/// <summary>
/// <c>/prometheus/api/v1/query</c> and <c>query_range</c>: PromQL over the embedded store, with the
/// JSON shapes, status codes and error types of Prometheus 2.42's HTTP API.
/// </summary>
public static class QueryEndpoints
{
    /// <summary>How long metadata requests may run when the request does not say (Prometheus's <c>--query.timeout</c> default).</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    public static async Task Instant(HttpContext context, EvaluateQuery evaluate, TimeProvider clock)
    {
        await RunAsync(context, async (request, cancellationToken) =>
        {
            var time = request.TimeOr("time", clock.GetUtcNow().ToUnixTimeMilliseconds());
            var expr = EvaluateQuery.Parse(request.Get("query"));
            var value = await evaluate.InstantAsync(expr, time, RequestedTimeout(request), cancellationToken);
            await WriteSuccessAsync(context.Response, json => WriteValue(json, value));
        });
    }

    public static async Task Range(HttpContext context, EvaluateQuery evaluate)
    {
        await RunAsync(context, async (request, cancellationToken) =>
        {
            var start = ApiParameters.ParseTime("start", request.Get("start") ?? throw new BadParameterException("start", "cannot parse \"\" to a valid timestamp"));
            var end = ApiParameters.ParseTime("end", request.Get("end") ?? throw new BadParameterException("end", "cannot parse \"\" to a valid timestamp"));
            var step = ApiParameters.ParseDuration("step", request.Get("step") ?? throw new BadParameterException("step", "cannot parse \"\" to a valid duration"));
            if (ApiParameters.CheckRange(start, end, step) is { } rangeError)
            {
                throw new ApiError(ErrorType.BadData, rangeError);
            }
            var expr = EvaluateQuery.Parse(request.Get("query"));
            var matrix = await evaluate.RangeAsync(expr, start, end, step, RequestedTimeout(request), cancellationToken);
            await WriteSuccessAsync(context.Response, (json, flush) => WriteMatrixAsync(json, matrix, flush));
        });
    }

    private static TimeSpan? RequestedTimeout(ApiRequest request) =>
        request.Get("timeout") is { } t ? TimeSpan.FromMilliseconds(ApiParameters.ParseDuration("timeout", t)) : null;

    /// <summary>Runs a handler with the request's timeout and turns failures into Prometheus error answers.</summary>
    internal static async Task RunAsync(HttpContext context, Func<ApiRequest, CancellationToken, Task> handler)
    {
        ApiRequest request;
        try
        {
            request = await ApiRequest.ReadAsync(context.Request);
        }
        catch (InvalidDataException e)
        {
            await WriteErrorAsync(context.Response, ErrorType.BadData, $"error parsing form values: {e.Message}");
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            var limit = request.Get("timeout") is { } t ? TimeSpan.FromMilliseconds(ApiParameters.ParseDuration("timeout", t)) : DefaultTimeout;
            timeout.CancelAfter(limit);
            await handler(request, timeout.Token);
        }
        catch (BadParameterException e)
        {
            await WriteErrorAsync(context.Response, ErrorType.BadData, e.Message);
        }
        catch (ApiError e)
        {
            await WriteErrorAsync(context.Response, e.Type, e.Message);
        }
        catch (PromQLEvaluationException e)
        {
            await WriteErrorAsync(context.Response, ErrorType.Execution, e.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            await WriteErrorAsync(context.Response, ErrorType.Timeout, "query timed out in expression evaluation");
        }
    }

    public static void WriteValue(Utf8JsonWriter json, QueryValue value)
    {
        json.WriteStartObject();
        switch (value)
        {
            case ScalarValue scalar:
                json.WriteString("resultType", "scalar");
                json.WritePropertyName("result");
                WritePoint(json, scalar.TimestampMs, scalar.Value);
                break;
            case StringValue text:
                json.WriteString("resultType", "string");
                json.WritePropertyName("result");
                json.WriteStartArray();
                WriteTimestamp(json, text.TimestampMs);
                json.WriteStringValue(text.Value);
                json.WriteEndArray();
                break;
            case VectorValue vector:
                json.WriteString("resultType", "vector");
                json.WriteStartArray("result");
                foreach (var sample in vector.Samples)
                {
                    json.WriteStartObject();
                    json.WritePropertyName("metric");
                    WriteLabels(json, sample.Labels);
                    json.WritePropertyName("value");
                    WritePoint(json, sample.TimestampMs, sample.Value);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case MatrixValue matrix:
                json.WriteString("resultType", "matrix");
                json.WriteStartArray("result");
                foreach (var series in matrix.Series)
                {
                    WriteSeries(json, series);
                }
                json.WriteEndArray();
                break;
        }
        json.WriteEndObject();
    }

    /// <summary>Series formatted together as one block of a large matrix.</summary>
    private const int SeriesPerBlock = 32;

    /// <summary>
    /// A matrix answer, handed to the client in parts as it is written. A large matrix (more than
    /// one block of series) is formatted a block at a time on the thread pool, up to one block per
    /// core ahead of the one being sent, and the blocks are written in order: formatting the
    /// numbers is most of the cost of a 10,000-series answer (shortest round-trip digits for
    /// 600,000 values), and it divides across cores while memory stays at a few blocks.
    /// </summary>
    public static async Task WriteMatrixAsync(Utf8JsonWriter json, MatrixValue matrix, Func<ValueTask> flush)
    {
        json.WriteStartObject();
        json.WriteString("resultType", "matrix");
        json.WriteStartArray("result");
        var all = matrix.Series;
        if (all.Count <= SeriesPerBlock)
        {
            foreach (var series in all)
            {
                WriteSeries(json, series);
                await flush();
            }
        }
        else
        {
            var blocks = (all.Count + SeriesPerBlock - 1) / SeriesPerBlock;
            var ahead = new Queue<Task<ArrayBufferWriter<byte>>>();
            // The blocks' buffers go round: a few per answer, not one per block.
            var free = new Stack<ArrayBufferWriter<byte>>();
            var next = 0;
            void StartBlocks()
            {
                while (next < blocks && ahead.Count <= Environment.ProcessorCount)
                {
                    var from = next++ * SeriesPerBlock;
                    var buffer = free.TryPop(out var b) ? b : new ArrayBufferWriter<byte>(64 * 1024);
                    ahead.Enqueue(Task.Run(() => FormatBlock(buffer, all, from, Math.Min(all.Count, from + SeriesPerBlock))));
                }
            }
            StartBlocks();
            while (ahead.Count > 0)
            {
                var formatted = await ahead.Dequeue();
                json.WriteRawValue(formatted.WrittenSpan, skipInputValidation: true);
                formatted.ResetWrittenCount();
                free.Push(formatted);
                StartBlocks();
                await flush();
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Series [from, to) as JSON objects separated by commas, ready to be written as one raw value of the result array.</summary>
    private static ArrayBufferWriter<byte> FormatBlock(ArrayBufferWriter<byte> buffer, IReadOnlyList<RangeSeries> all, int from, int to)
    {
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            for (var i = from; i < to; i++)
            {
                WriteSeries(json, all[i]);
            }
        }
        return buffer;
    }

    private static void WriteSeries(Utf8JsonWriter json, RangeSeries series)
    {
        json.WriteStartObject();
        json.WritePropertyName("metric");
        WriteLabels(json, series.Labels);
        json.WriteStartArray("values");
        if (series.Points is List<Sample> list)
        {
            foreach (var point in CollectionsMarshal.AsSpan(list))
            {
                WritePoint(json, point.TimestampMs, point.Value);
            }
        }
        else
        {
            foreach (var point in series.Points)
            {
                WritePoint(json, point.TimestampMs, point.Value);
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}

/// <summary>A Prometheus API error of a given type, with Prometheus's message.</summary>
public sealed class ApiError(ErrorType type, string message) : Exception(message)
{
    public ErrorType Type { get; } = type;
}
