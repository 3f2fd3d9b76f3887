using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Configuration;

/// <summary>
/// Binds a YAML node tree to typed option classes, collecting every error with its line and column
/// rather than stopping at the first, and remembering where each path (<c>services[0].tier</c>) was
/// written so later validation can point at it. Keys are the snake_case form of property names,
/// the same names the JSON API uses.
/// </summary>
internal sealed class YamlBinder(string file)
{
    private readonly Dictionary<string, Mark> locations = new(StringComparer.Ordinal);

    public List<ConfigError> Errors { get; } = [];

    /// <summary>The line each bound object (a service, a monitor, a channel...) starts on, by identity.</summary>
    public Dictionary<object, int> Lines { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Where a path was written; paths set from the environment are reported by variable name.</summary>
    public Dictionary<string, string> EnvironmentPaths { get; } = new(StringComparer.Ordinal);

    public static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);

    public T Bind<T>(YamlNode? node) where T : new()
    {
        if (node is null || IsNull(node))
        {
            return new T();
        }
        return (T?)BindValue(typeof(T), node, "") ?? new T();
    }

    /// <summary>Turns a validator's path-addressed error into a positioned config error.</summary>
    public ConfigError Locate(FieldError error)
    {
        var path = error.Path;
        while (true)
        {
            if (EnvironmentPaths.TryGetValue(path, out var variable))
            {
                return new ConfigError("$" + variable, 0, 0, $"{error.Path}: {error.Reason}");
            }
            if (locations.TryGetValue(path, out var mark))
            {
                return new ConfigError(file, (int)mark.Line, (int)mark.Column, error.Reason);
            }
            if (path.Length == 0)
            {
                return new ConfigError(file, 0, 0, $"{error.Path}: {error.Reason}");
            }
            path = Parent(path);
        }
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }

    private void Error(YamlNode node, string path, string reason)
    {
        if (EnvironmentPaths.TryGetValue(path, out var variable))
        {
            Errors.Add(new ConfigError("$" + variable, 0, 0, reason));
            return;
        }
        Errors.Add(new ConfigError(file, (int)node.Start.Line, (int)node.Start.Column, reason));
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    private object? BindValue(Type type, YamlNode node, string path)
    {
        locations[path] = node.Start;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return IsNull(node) ? null : BindValue(underlying, node, path);
        }
        if (type == typeof(string))
        {
            return Scalar(node, path, "a string") is { } s ? s : null;
        }
        if (type == typeof(bool))
        {
            return Scalar(node, path, "true or false") switch
            {
                "true" => true,
                "false" => false,
                null => null,
                var other => Fail(node, path, $"expected true or false, got \"{other}\""),
            };
        }
        if (type == typeof(int) || type == typeof(long) || type == typeof(double))
        {
            return BindNumber(type, node, path);
        }
        if (type == typeof(TimeSpan))
        {
            var text = Scalar(node, path, "a duration");
            if (text is null)
            {
                return null;
            }
            return Duration.TryParse(text, out var d)
                ? d
                : Fail(node, path, $"invalid duration \"{text}\": write a number and a unit, e.g. 30s, 5m, 1h30m");
        }
        if (type.IsEnum)
        {
            return BindEnum(type, node, path);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var generic &&
            (generic == typeof(List<>) || generic == typeof(IReadOnlyList<>)))
        {
            return BindList(type.GetGenericArguments()[0], node, path);
        }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ||
                                   type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
        {
            return BindDictionary(type.GetGenericArguments()[1], node, path);
        }
        return BindObject(type, node, path);
    }

    private object? Fail(YamlNode node, string path, string reason)
    {
        Error(node, path, reason);
        return null;
    }

    private string? Scalar(YamlNode node, string path, string expected)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? "";
        }
        Error(node, path, $"expected {expected}, got a {(node is YamlSequenceNode ? "list" : "mapping")}");
        return null;
    }

    private object? BindNumber(Type type, YamlNode node, string path)
    {
        var expected = type == typeof(double) ? "a number" : "an integer";
        var text = Scalar(node, path, expected);
        if (text is null)
        {
            return null;
        }
        if (type == typeof(int) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
        {
            return i;
        }
        if (type == typeof(long) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }
        if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }
        return Fail(node, path, $"expected {expected}, got \"{text}\"");
    }

    private object? BindEnum(Type type, YamlNode node, string path)
    {
        var text = Scalar(node, path, "a name");
        if (text is null)
        {
            return null;
        }
        foreach (var name in Enum.GetNames(type))
        {
            if (JsonNamingPolicy.SnakeCaseLower.ConvertName(name) == text)
            {
                return Enum.Parse(type, name);
            }
        }
        var allowed = string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));
        return Fail(node, path, $"invalid value \"{text}\": expected one of {allowed}");
    }

    private IList? BindList(Type element, YamlNode node, string path)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        if (IsNull(node))
        {
            return list;
        }
        if (node is YamlMappingNode byName && element.GetCustomAttribute<ConfigKeyedByNameAttribute>() is not null)
        {
            return BindKeyedByName(element, byName, path, list);
        }
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, "expected a list");
            return null;
        }
        // An element that cannot be bound at all is reported and left out; later elements are
        // addressed by their index in the bound list so that validation errors point at them.
        foreach (var child in sequence.Children)
        {
            var value = BindValue(element, child, $"{path}[{list.Count}]");
            if (value is not null)
            {
                list.Add(value);
            }
        }
        return list;
    }

    /// <summary>A list written as <c>NAME: {ENTRY}</c>: each key is its entry's name (see <see cref="ConfigKeyedByNameAttribute"/>).</summary>
    private IList BindKeyedByName(Type element, YamlMappingNode mapping, string path, IList list)
    {
        var name = element.GetProperty("Name") ?? throw new InvalidOperationException($"{element.Name} has no Name to key by");
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var entryPath = $"{path}[{list.Count}]";
            locations[entryPath] = valueNode.Start;
            var value = BindObject(element, valueNode, entryPath, keyedByName: true);
            if (value is null)
            {
                continue;
            }
            if (name.GetValue(value) is string given && given != key)
            {
                Error(valueNode, Join(entryPath, "name"), $"name \"{given}\" differs from its key \"{key}\"");
                continue;
            }
            name.SetValue(value, key);
            locations[Join(entryPath, "name")] = keyNode.Start;
            // A keyed entry (`checkout: {...}`) starts at its key, the line a person looks for.
            Lines[value] = (int)keyNode.Start.Line;
            list.Add(value);
        }
        return list;
    }

    /// <summary>A scalar where a list may be written as its one element; a value that cannot be bound is reported at the scalar.</summary>
    private IList BindListOfOne(Type element, YamlNode node, string path)
    {
        locations[path] = node.Start;
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        if (BindValue(element, node, $"{path}[0]") is { } value)
        {
            list.Add(value);
        }
        return list;
    }

    private IDictionary? BindDictionary(Type valueType, YamlNode node, string path)
    {
        var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
        if (IsNull(node))
        {
            return dict;
        }
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, "expected a mapping");
            return null;
        }
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            var bound = BindValue(valueType, value, Join(path, name));
            if (bound is not null)
            {
                dict[name] = bound;
            }
        }
        return dict;
    }

    // NullabilityInfoContext caches as it reads and is not thread-safe: each binder has its own, so
    // configurations loaded side by side (a reload, `vigil check`, tests) never share one. A shared
    // static one threw "An item with the same key has already been added" under parallel loads.
    private readonly NullabilityInfoContext nullability = new();

    private object? BindObject(Type type, YamlNode node, string path, bool keyedByName = false)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, node is YamlSequenceNode ? "expected a mapping, got a list" : $"expected a mapping, got \"{(node as YamlScalarNode)?.Value}\"");
            return null;
        }
        var target = Activator.CreateInstance(type)!;
        Lines[target] = (int)node.Start.Line;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<ConfigIgnoreAttribute>() is null)
            .ToDictionary(KeyOf, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!properties.TryGetValue(key, out var property))
            {
                Error(keyNode, Join(path, key), $"unknown key \"{key}\" (expected one of: {string.Join(", ", properties.Keys)})");
                continue;
            }
            seen.Add(key);
            // A single value where a list is expected, for keys that allow it (expected_status: 200).
            var value = property.GetCustomAttribute<ConfigSingleOrListAttribute>() is not null && valueNode is YamlScalarNode && !IsNull(valueNode)
                ? BindListOfOne(property.PropertyType.GetGenericArguments()[0], valueNode, Join(path, key))
                : BindValue(property.PropertyType, valueNode, Join(path, key));
            if (value is not null || IsNull(valueNode))
            {
                // An empty value (`alerting:` with nothing under it) keeps the default of a section
                // or list that may not be null, instead of leaving null where the code expects one.
                var mayBeNull = Nullable.GetUnderlyingType(property.PropertyType) is not null ||
                    !property.PropertyType.IsValueType && nullability.Create(property).WriteState != NullabilityState.NotNull;
                if (value is not null || mayBeNull)
                {
                    property.SetValue(target, value);
                }
            }
        }
        foreach (var (key, property) in properties)
        {
            if (!seen.Contains(key) && property.GetCustomAttribute<ConfigRequiredAttribute>() is not null && !(keyedByName && key == "name"))
            {
                Error(mapping, path, $"missing required key \"{key}\"");
            }
        }
        return target;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
