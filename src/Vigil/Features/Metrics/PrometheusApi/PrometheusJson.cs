using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigil.Metrics;

namespace Vigil.Features.Metrics.PrometheusApi;

/// <summary>
/// The JSON envelope of the Prometheus HTTP API (<c>{"status":"success","data":...}</c> or
/// <c>{"status":"error","errorType":...,"error":...}</c>), written straight to the response
/// with <see cref="Utf8JsonWriter"/>: its camelCase keys differ from the rest of Vigil's API, and
/// large matrices should not be built as objects first.
/// </summary>
public static class PrometheusJson
{
    /// <summary>Error types and their HTTP status codes, as Prometheus's <c>web/api/v1</c> maps them.</summary>
    public enum ErrorType
    {
        BadData,
        Execution,
        Timeout,
        Canceled,
        Internal,
        NotFound,
    }

    public static int StatusCode(ErrorType type) => type switch
    {
        ErrorType.BadData => StatusCodes.Status400BadRequest,
        ErrorType.Execution => StatusCodes.Status422UnprocessableEntity,
        ErrorType.Timeout or ErrorType.Canceled => StatusCodes.Status503ServiceUnavailable,
        ErrorType.NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string Name(ErrorType type) => type switch
    {
        ErrorType.BadData => "bad_data",
        ErrorType.Execution => "execution",
        ErrorType.Timeout => "timeout",
        ErrorType.Canceled => "canceled",
        ErrorType.NotFound => "not_found",
        _ => "internal",
    };

    public static Task WriteSuccessAsync(HttpResponse response, Action<Utf8JsonWriter> writeData, IReadOnlyList<string>? warnings = null) =>
        WriteSuccessAsync(response, (json, _) =>
        {
            writeData(json);
            return Task.CompletedTask;
        }, warnings);

    /// <summary>How much written JSON a large answer holds before it goes to the client.</summary>
    private const int FlushBytes = 64 * 1024;

    /// <summary>
    /// A success answer written straight into the response's pipe. <paramref name="writeData"/> may
    /// call the flush it is given between parts (a matrix, after each series): once 64 KiB are
    /// pending they are sent, so a large answer streams to the client instead of being held whole
    /// in memory (a 10,000-series matrix is tens of megabytes).
    /// </summary>
    public static async Task WriteSuccessAsync(HttpResponse response, Func<Utf8JsonWriter, Func<ValueTask>, Task> writeData, IReadOnlyList<string>? warnings = null)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var body = response.BodyWriter;
        await using var json = new Utf8JsonWriter(body);
        var flushedAt = 0L;
        async ValueTask FlushWhenLarge()
        {
            if (json.BytesCommitted + json.BytesPending - flushedAt >= FlushBytes)
            {
                json.Flush();
                flushedAt = json.BytesCommitted;
                await body.FlushAsync(response.HttpContext.RequestAborted);
            }
        }
        json.WriteStartObject();
        json.WriteString("status", "success");
        json.WritePropertyName("data");
        await writeData(json, FlushWhenLarge);
        if (warnings is { Count: > 0 })
        {
            json.WriteStartArray("warnings");
            foreach (var w in warnings)
            {
                json.WriteStringValue(w);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.Flush();
        await body.FlushAsync(response.HttpContext.RequestAborted);
    }

    public static async Task WriteErrorAsync(HttpResponse response, ErrorType type, string message)
    {
        response.StatusCode = StatusCode(type);
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter.AsStream());
        json.WriteStartObject();
        json.WriteString("status", "error");
        json.WriteString("errorType", Name(type));
        json.WriteString("error", message);
        json.WriteEndObject();
        await json.FlushAsync();
    }

    /// <summary>A sample value as Prometheus writes it: Go's <c>strconv.FormatFloat(v, 'f', -1, 64)</c> (shortest digits, never an exponent), <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatValue(double value)
    {
        Span<byte> text = stackalloc byte[ShortestDecimal.MaxLength];
        if (ShortestDecimal.TryFormat(value, text, out var written))
        {
            return Encoding.ASCII.GetString(text[..written]);
        }
        return double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
    }

    /// <summary>
    /// A timestamp in milliseconds written as Prometheus does (<c>jsonutil.MarshalTimestamp</c>):
    /// whole seconds, then, when there is a fraction, a point and exactly three digits
    /// (<c>1700001234.500</c>).
    /// </summary>
    public static void WriteTimestamp(Utf8JsonWriter json, long timestampMs)
    {
        Span<byte> text = stackalloc byte[MaxTimestampBytes];
        json.WriteRawValue(text[..FormatTimestamp(timestampMs, text)], skipInputValidation: true);
    }

    /// <summary>A <c>[timestamp, "value"]</c> pair, formatted into a stack buffer and written as one raw value (no strings per point).</summary>
    public static void WritePoint(Utf8JsonWriter json, long timestampMs, double value)
    {
        Span<byte> text = stackalloc byte[MaxTimestampBytes + 64];
        text[0] = (byte)'[';
        var n = 1 + FormatTimestamp(timestampMs, text[1..]);
        text[n++] = (byte)',';
        text[n++] = (byte)'"';
        // The shortest digits, as FormatValue writes them; the few that do not fit (not finite, or
        // far from the point) take the string path.
        if (ShortestDecimal.TryFormat(value, text[n..^2], out var written))
        {
            n += written;
        }
        else
        {
            json.WriteStartArray();
            WriteTimestamp(json, timestampMs);
            json.WriteStringValue(FormatValue(value));
            json.WriteEndArray();
            return;
        }
        text[n++] = (byte)'"';
        text[n++] = (byte)']';
        json.WriteRawValue(text[..n], skipInputValidation: true);
    }

    private const int MaxTimestampBytes = 24;

    private static int FormatTimestamp(long timestampMs, Span<byte> into)
    {
        var n = 0;
        if (timestampMs < 0)
        {
            into[n++] = (byte)'-';
        }
        // Math.Abs would throw for long.MinValue; its magnitude fits an unsigned long.
        var abs = timestampMs < 0 ? (ulong)-(timestampMs + 1) + 1 : (ulong)timestampMs;
        (abs / 1000).TryFormat(into[n..], out var written, default, CultureInfo.InvariantCulture);
        n += written;
        var fraction = (int)(abs % 1000);
        if (fraction != 0)
        {
            into[n++] = (byte)'.';
            into[n++] = (byte)('0' + fraction / 100);
            into[n++] = (byte)('0' + fraction / 10 % 10);
            into[n++] = (byte)('0' + fraction % 10);
        }
        return n;
    }

    /// <summary>A label set as a JSON object, in label order.</summary>
    public static void WriteLabels(Utf8JsonWriter json, Vigil.Metrics.Labels labels)
    {
        json.WriteStartObject();
        foreach (var label in labels.AsSpan())
        {
            json.WriteString(label.Name, label.Value);
        }
        json.WriteEndObject();
    }
}
