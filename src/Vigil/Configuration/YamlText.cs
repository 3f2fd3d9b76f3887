using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Configuration;

/// <summary>
/// Loads YAML text into a <see cref="YamlStream"/>, with every way the text can be refused as a
/// <see cref="YamlException"/>: YamlDotNet's scanner throws <see cref="InvalidOperationException"/>
/// on some malformed plain scalars, and its representation model <see cref="ArgumentException"/>
/// ("The current event is of an unsupported type") on some broken mappings (both found by fuzzing,
/// fuzz/README.md). Callers report one kind of error instead of crashing on the other two.
/// </summary>
public static class YamlText
{
    public static YamlStream Load(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new YamlException(Mark.Empty, Mark.Empty, "the text does not parse as YAML (a malformed scalar or mapping)", e);
        }
        return stream;
    }
}
