using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Vigil.Configuration;

namespace Vigil.Hosting;

/// <summary>A text property that holds a whole document (a runbook, a post-mortem): allowed up to <see cref="TextLimits.Document"/> characters.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DocumentTextAttribute : Attribute;

/// <summary>
/// Limits on the free text a request may carry, so one 12 MB description cannot make every later
/// list answer 12 MB. Every string in a JSON body bound to an API endpoint — names, descriptions,
/// comments, label and annotation values, list items and map keys alike — may hold at most
/// <see cref="Text"/> characters; properties marked <see cref="DocumentTextAttribute"/> hold up to
/// <see cref="Document"/>. A longer one is refused with 400 naming the field (docs/server.md, "Limits").
/// Applied to every API endpoint at once by <see cref="Filter"/>, so a new endpoint cannot forget it.
/// </summary>
public static class TextLimits
{
    /// <summary>Characters in any text field of a request.</summary>
    public const int Text = 16_384;

    /// <summary>Characters in a field marked <see cref="DocumentTextAttribute"/>.</summary>
    public const int Document = 1_048_576;

    private const int MaxDepth = 16;

    private static readonly ConcurrentDictionary<Type, Walker?> Walkers = new();

    /// <summary>An endpoint filter factory: checks the endpoint's JSON body parameters, and adds nothing to endpoints that have none.</summary>
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var isService = context.ApplicationServices.GetService<IServiceProviderIsService>();
        var naming = context.ApplicationServices.GetService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions.PropertyNamingPolicy;
        var checks = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (Index: index, Walker: IsBody(parameter, isService) ? WalkerFor(parameter.ParameterType, naming) : null))
            .Where(c => c.Walker is not null)
            .ToArray();
        if (checks.Length == 0)
        {
            return next;
        }
        return async invocation =>
        {
            var errors = new List<FieldError>();
            foreach (var (index, walker) in checks)
            {
                walker!.Check(invocation.Arguments[index], "", errors, 0);
            }
            return errors.Count > 0 ? Problems.Validation(errors) : await next(invocation);
        };
    }

    /// <summary>The same limit for parsers that read a body themselves (inbound alerts): a field error when <paramref name="value"/> is too long.</summary>
    public static FieldError? Check(string? value, string path, int limit = Text) =>
        value is not null && value.Length > limit ? TooLong(path, limit) : null;

    /// <summary>Every label name and value of an inbound alert's labels or annotations, named <c>{path}.{name}</c>.</summary>
    public static IEnumerable<FieldError> Check(Metrics.Labels labels, string path)
    {
        foreach (var label in labels)
        {
            if (label.Name.Length > Text)
            {
                yield return TooLong($"{path}.{label.Name[..64]}…", Text);
            }
            else if (label.Value.Length > Text)
            {
                yield return TooLong($"{path}.{label.Name}", Text);
            }
        }
    }

    private static FieldError TooLong(string path, int limit) =>
        new(path.Length == 0 ? "body" : path, $"is longer than {limit:N0} characters");

    /// <summary>Body parameters are the complex ones that are neither services nor framework types; primitives come from the route or query.</summary>
    private static bool IsBody(ParameterInfo parameter, IServiceProviderIsService? isService)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("Vigil", StringComparison.Ordinal) != true && !IsList(type))
        {
            return false;
        }
        return isService?.IsService(type) != true;
    }

    private static bool IsList(Type type) => type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments()[0].Namespace?.StartsWith("Vigil", StringComparison.Ordinal) == true;

    private static Walker? WalkerFor(Type type, JsonNamingPolicy? naming) =>
        Walkers.GetOrAdd(type, t => Build(t, naming, []));

    /// <summary>How to find every string under one type; <c>null</c> when the type holds no text.</summary>
    private static Walker? Build(Type type, JsonNamingPolicy? naming, HashSet<Type> building)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new Walker.Leaf(Text);
        }
        if (type.IsPrimitive || type.IsEnum || type.IsValueType || type == typeof(JsonElement) || !building.Add(type))
        {
            return null;
        }
        try
        {
            if (type.IsGenericType && type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))) is { } dictionary)
            {
                var arguments = dictionary.GetGenericArguments();
                return arguments[0] == typeof(string) || Build(arguments[1], naming, building) is not null
                    ? new Walker.Map(arguments[0] == typeof(string), Build(arguments[1], naming, building))
                    : null;
            }
            if (type.IsArray || type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
            {
                var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
                return Build(element, naming, building) is { } item ? new Walker.Many(item) : null;
            }
            if (type.Namespace?.StartsWith("Vigil", StringComparison.Ordinal) != true)
            {
                return null;
            }
            var fields = new List<(string Name, PropertyInfo Property, Walker Walker)>();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0 || property.GetMethod is null || property.GetCustomAttribute<JsonIgnoreAttribute>() is not null)
                {
                    continue;
                }
                var walker = property.PropertyType == typeof(string) && property.GetCustomAttribute<DocumentTextAttribute>() is not null
                    ? new Walker.Leaf(Document)
                    : Build(property.PropertyType, naming, building);
                if (walker is not null)
                {
                    var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? naming?.ConvertName(property.Name) ?? property.Name;
                    fields.Add((name, property, walker));
                }
            }
            return fields.Count > 0 ? new Walker.Object(fields) : null;
        }
        finally
        {
            building.Remove(type);
        }
    }

    private abstract class Walker
    {
        public abstract void Check(object? value, string path, List<FieldError> errors, int depth);

        public sealed class Leaf(int limit) : Walker
        {
            public override void Check(object? value, string path, List<FieldError> errors, int depth)
            {
                if (value is string text && text.Length > limit)
                {
                    errors.Add(TooLong(path, limit));
                }
            }
        }

        public sealed class Many(Walker item) : Walker
        {
            public override void Check(object? value, string path, List<FieldError> errors, int depth)
            {
                if (value is not IEnumerable items || depth > MaxDepth)
                {
                    return;
                }
                var i = 0;
                foreach (var element in items)
                {
                    item.Check(element, $"{path}[{i++}]", errors, depth + 1);
                }
            }
        }

        public sealed class Map(bool textKeys, Walker? value) : Walker
        {
            public override void Check(object? map, string path, List<FieldError> errors, int depth)
            {
                if (map is not IDictionary entries || depth > MaxDepth)
                {
                    return;
                }
                foreach (DictionaryEntry entry in entries)
                {
                    var key = entry.Key as string ?? "";
                    if (textKeys && key.Length > Text)
                    {
                        errors.Add(TooLong($"{Join(path, key[..64])}…", Text));
                        continue;
                    }
                    value?.Check(entry.Value, Join(path, key), errors, depth + 1);
                }
            }
        }

        public sealed class Object(List<(string Name, PropertyInfo Property, Walker Walker)> fields) : Walker
        {
            public override void Check(object? value, string path, List<FieldError> errors, int depth)
            {
                if (value is null || depth > MaxDepth)
                {
                    return;
                }
                foreach (var (name, property, walker) in fields)
                {
                    walker.Check(property.GetValue(value), Join(path, name), errors, depth + 1);
                }
            }
        }

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
    }
}
