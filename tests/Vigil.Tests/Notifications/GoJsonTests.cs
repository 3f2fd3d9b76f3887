using System.Text;
using Vigil.Features.Templates;

namespace Vigil.Tests.Notifications;

/// <summary>
/// <see cref="GoJson.Write"/>: a payload as Go's encoding/json writes it, which receivers of
/// Alertmanager's webhooks compare byte for byte (json.Encoder escapes &amp; &lt; &gt; inside
/// strings and ends with a newline).
/// </summary>
public sealed class GoJsonTests
{
    private static string Write(string value) =>
        Encoding.UTF8.GetString(GoJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("summary", value);
            json.WriteEndObject();
        }));

    [Fact]
    public void Ampersands_and_angle_brackets_are_escaped_as_go_escapes_them()
    {
        Assert.Equal("{\"summary\":\"a\\u0026b \\u003cdiv\\u003e \\u0026\\u0026\"}\n", Write("a&b <div> &&"));
    }

    [Fact]
    public void Text_without_them_is_written_unescaped_with_the_newline()
    {
        Assert.Equal("{\"summary\":\"disk é 90% \\\"full\\\"\"}\n", Write("disk é 90% \"full\""));
    }

    [Fact]
    public void A_payload_larger_than_the_first_buffer_is_written_whole()
    {
        var value = string.Concat(Enumerable.Repeat("0123456789<&>", 2000));
        var written = Write(value);
        Assert.Equal("{\"summary\":\"".Length + (2000 * (10 + 18)) + "\"}\n".Length, written.Length);
        Assert.StartsWith("{\"summary\":\"0123456789\\u003c\\u0026\\u003e0123456789", written, StringComparison.Ordinal);
        Assert.EndsWith("0123456789\\u003c\\u0026\\u003e\"}\n", written, StringComparison.Ordinal);
    }
}
