using System.Globalization;
using System.Text.Json;

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

    public static async Task WriteSuccessAsync(HttpResponse response, Action<Utf8JsonWriter> writeData, IReadOnlyList<string>? warnings = null)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter.AsStream());
        json.WriteStartObject();
        json.WriteString("status", "success");
        json.WritePropertyName("data");
        writeData(json);
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
        await json.FlushAsync();
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
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOfAny(['E', 'e']);
        return e < 0 ? shortest : ExpandExponent(shortest, e);
    }

    /// <summary>Rewrites <c>-1.2345E-07</c> as <c>-0.00000012345</c> and <c>4E+09</c> as <c>4000000000</c>.</summary>
    private static string ExpandExponent(string text, int e)
    {
        var negative = text[0] == '-';
        var mantissa = text[(negative ? 1 : 0)..e];
        var exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        string result;
        if (point <= 0)
        {
            result = "0." + new string('0', -point) + digits;
        }
        else if (point >= digits.Length)
        {
            result = digits + new string('0', point - digits.Length);
        }
        else
        {
            result = digits[..point] + "." + digits[point..];
        }
        return negative ? "-" + result : result;
    }

    /// <summary>
    /// A timestamp in milliseconds written as Prometheus does (<c>jsonutil.MarshalTimestamp</c>):
    /// whole seconds, then, when there is a fraction, a point and exactly three digits
    /// (<c>1700001234.500</c>).
    /// </summary>
    public static void WriteTimestamp(Utf8JsonWriter json, long timestampMs)
    {
        var sign = timestampMs < 0 ? "-" : "";
        var abs = Math.Abs(timestampMs);
        var fraction = abs % 1000;
        var text = fraction == 0
            ? $"{sign}{abs / 1000}"
            : $"{sign}{abs / 1000}.{fraction:000}";
        json.WriteRawValue(text, skipInputValidation: true);
    }

    /// <summary>A <c>[timestamp, "value"]</c> pair.</summary>
    public static void WritePoint(Utf8JsonWriter json, long timestampMs, double value)
    {
        json.WriteStartArray();
        WriteTimestamp(json, timestampMs);
        json.WriteStringValue(FormatValue(value));
        json.WriteEndArray();
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
