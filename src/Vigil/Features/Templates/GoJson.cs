using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vigil.Features.Templates;

/// <summary>
/// JSON as Go's <c>encoding/json</c> writes it, so payloads match what receivers already get from
/// Alertmanager byte for byte: UTF-8 unescaped, <c>&amp;</c> <c>&lt;</c> <c>&gt;</c> escaped as
/// <c>\u0026</c> <c>\u003c</c> <c>\u003e</c>, a trailing newline (<c>json.Encoder</c>), and times
/// as RFC 3339 with only as many fraction digits as needed.
/// </summary>
public static class GoJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// A buffer and writer per thread, reused: <see cref="Write"/> copies what was written out before
    /// it returns, and runs no asynchronous code. A fresh 4 KB buffer per payload was 5 % of the
    /// alert path's allocations (bench/alerting). Taken while in use, so a nested call makes its own.
    /// </summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Json)? spare;

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var (buffer, json) = spare ?? (new ArrayBufferWriter<byte>(4096), new Utf8JsonWriter(Stream.Null, Options));
        spare = null;
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        write(json);
        json.Flush();
        var output = Escaped(buffer.WrittenSpan);
        if (buffer.Capacity <= 64 * 1024)
        {
            // A rare large payload's buffer is not kept.
            spare = (buffer, json);
        }
        return output;
    }

    private static byte[] Escaped(ReadOnlySpan<byte> written)
    {
        // '&', '<' and '>' cannot occur outside strings in JSON, so replacing them everywhere
        // escapes exactly the characters Go escapes inside strings. One copy, sized exactly.
        var escapes = written.Count((byte)'&') + written.Count((byte)'<') + written.Count((byte)'>');
        var output = new byte[written.Length + (escapes * 5) + 1];
        var at = 0;
        for (int next; (next = written.IndexOfAny("&<>"u8)) >= 0; written = written[(next + 1)..])
        {
            written[..next].CopyTo(output.AsSpan(at));
            at += next;
            var escape = written[next] switch
            {
                (byte)'&' => "\\u0026"u8,
                (byte)'<' => "\\u003c"u8,
                _ => "\\u003e"u8,
            };
            escape.CopyTo(output.AsSpan(at));
            at += escape.Length;
        }
        written.CopyTo(output.AsSpan(at));
        output[^1] = (byte)'\n';
        return output;
    }

    /// <summary>Go's <c>time.Time</c> JSON: RFC 3339, fraction trimmed; the zero time is <c>0001-01-01T00:00:00Z</c>.</summary>
    public static string Time(DateTimeOffset? time)
    {
        if (time is null)
        {
            return "0001-01-01T00:00:00Z";
        }
        var utc = time.Value.UtcDateTime;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.');
        return text + "Z";
    }

    /// <summary>A string quoted as Go's <c>%q</c> does for printable text.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in value)
        {
            sb.Append(ch switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ => ch.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    public static void WriteMap(Utf8JsonWriter json, string name, Vigil.Metrics.Labels labels)
    {
        json.WriteStartObject(name);
        foreach (var l in labels)
        {
            json.WriteString(l.Name, l.Value);
        }
        json.WriteEndObject();
    }
}
