using System.Text.Json;
using System.Text.Json.Serialization;
using Vigil.Hosting;

namespace Vigil.Data;

/// <summary>
/// How objects that keep their validated definition as a JSON column (monitors, SLOs, status pages)
/// write and read it: the API's JSON conventions, nulls left out.
/// </summary>
public static class DefinitionJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        VigilHost.ConfigureJson(json);
        json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return json;
    }
}
