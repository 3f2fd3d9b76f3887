using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Configuration;

/// <summary>Durations in JSON as in YAML: <c>"30s"</c>, <c>"1h30m"</c> (see <see cref="Duration"/>).</summary>
public sealed class DurationJsonConverter : JsonConverter<TimeSpan?>
{
    public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType == JsonTokenType.String && Duration.TryParse(reader.GetString()!, out var value))
        {
            return value;
        }
        // A schedule layer's refresh was stored as .NET's "01:00:00" before it had this converter:
        // such a stored definition still reads.
        if (reader.TokenType == JsonTokenType.String && TimeSpan.TryParseExact(reader.GetString()!, "c", System.Globalization.CultureInfo.InvariantCulture, out var stored) && stored > TimeSpan.Zero)
        {
            return stored;
        }
        throw new JsonException("could not be converted to a duration: write a number and a unit, e.g. 30s, 5m, 1h30m");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
    {
        if (value is { } v)
        {
            writer.WriteStringValue(Duration.Format(v));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
