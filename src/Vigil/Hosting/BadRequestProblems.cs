using System.Text.Json;
using Vigil.Configuration;

namespace Vigil.Hosting;

/// <summary>
/// Turns request-binding failures (malformed JSON, a value of the wrong type, an unknown property,
/// a query parameter that is not a number) into <c>application/problem+json</c> naming the field.
/// </summary>
internal static partial class BadRequestProblems
{
    public static IApplicationBuilder UseBadRequestProblems(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var error = Describe(e);
            var result = Problems.Validation([error]);
            await result.ExecuteAsync(context);
        }
    });

    private static FieldError Describe(BadHttpRequestException e)
    {
        if (e.InnerException is JsonException json)
        {
            var message = json.Message;
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            var reason = cut > 0 ? message[..cut] : message;
            // A value of the wrong type or an unknown property belongs to its field; anything else
            // is a syntax error in the document as a whole.
            var aboutField = !string.IsNullOrEmpty(json.Path) && json.Path != "$" &&
                (reason.Contains("could not be converted", StringComparison.Ordinal) || reason.Contains("could not be mapped", StringComparison.Ordinal));
            if (aboutField)
            {
                var field = json.Path!.TrimStart('$', '.');
                return new FieldError(field, reason.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown property" : Friendly(reason));
            }
            return new FieldError("body", $"malformed JSON at line {(json.LineNumber ?? 0) + 1}, byte {(json.BytePositionInLine ?? 0) + 1}: {reason}");
        }
        return new FieldError("request", e.Message);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"could not be converted to (?:System\.Nullable`1\[)?([\w.`\[\]]+?)\]?\.?$")]
    private static partial System.Text.RegularExpressions.Regex ConversionMessage();

    /// <summary>"could not be converted to System.Nullable`1[System.Int32]" becomes "must be an integer".</summary>
    private static string Friendly(string reason)
    {
        var match = ConversionMessage().Match(reason);
        if (!match.Success)
        {
            return reason;
        }
        var type = match.Groups[1].Value;
        return type switch
        {
            "System.Int32" or "System.Int64" => "must be an integer",
            "System.Double" => "must be a number",
            "System.Boolean" => "must be true or false",
            "System.String" => "must be a string",
            _ when type.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "must be a list",
            _ when type.StartsWith("Vigil.", StringComparison.Ordinal) && type.Split('.')[^1] is var name =>
                Type.GetType(type) is { IsEnum: true } enumType
                    ? $"must be one of: {string.Join(", ", Enum.GetNames(enumType).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName))}"
                    : $"must be an object ({name})",
            _ => reason,
        };
    }
}
