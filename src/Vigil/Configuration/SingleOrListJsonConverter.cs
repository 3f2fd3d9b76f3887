using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Configuration;

/// <summary>JSON's side of <see cref="ConfigSingleOrListAttribute"/>: <c>200</c> reads as <c>[200]</c>; written as a list.</summary>
public sealed class SingleOrListJsonConverter<T> : JsonConverter<List<T>>
{
    public override List<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            return JsonSerializer.Deserialize<List<T>>(ref reader, options);
        }
        return [JsonSerializer.Deserialize<T>(ref reader, options)!];
    }

    public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}
