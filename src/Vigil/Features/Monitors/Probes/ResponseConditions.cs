using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vigil.Features.Monitors.Probes;

/// <summary>Judges an HTTP answer against expected statuses and conditions: null when it passes, else the reason.</summary>
public static class ResponseConditions
{
    public static string? Failure(HttpAnswer answer, IReadOnlyList<int>? expectedStatus, IReadOnlyList<ConditionDefinition>? conditions)
    {
        var statusOk = expectedStatus is { Count: > 0 } ? expectedStatus.Contains(answer.Status) : answer.Status is >= 200 and < 300;
        if (!statusOk)
        {
            return $"status {answer.Status}";
        }
        foreach (var c in conditions ?? [])
        {
            if (Check(answer, c) is { } reason)
            {
                return reason;
            }
        }
        return null;
    }

    private static string? Check(HttpAnswer answer, ConditionDefinition c)
    {
        if (c.BodyContains is { } text && !answer.Body.Contains(text, StringComparison.Ordinal))
        {
            return $"body mismatch: does not contain \"{text}\"";
        }
        if (c.BodyNotContains is { } forbidden && answer.Body.Contains(forbidden, StringComparison.Ordinal))
        {
            return $"body mismatch: contains \"{forbidden}\"";
        }
        if (c.BodyRegex is { } pattern)
        {
            try
            {
                if (!Regex.IsMatch(answer.Body, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
                {
                    return $"body mismatch: does not match /{pattern}/";
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return $"body mismatch: /{pattern}/ took too long to match";
            }
        }
        if (c.HeaderPresent is { } header && !answer.Headers.ContainsKey(header))
        {
            return $"header {header} missing";
        }
        if (c.JsonPath is { } p && JsonPath.TryParse(p, out var path))
        {
            var actual = Extract(answer.Body, path);
            if (actual is null)
            {
                return $"body mismatch: no JSON value at {p}";
            }
            if (c.JsonEquals is { } expected && actual != expected)
            {
                return $"body mismatch: {p} is \"{actual}\", expected \"{expected}\"";
            }
            if (c.LessThan is not null || c.GreaterThan is not null || c.Between is not null)
            {
                using var document = JsonDocument.Parse(answer.Body);
                if (path.Find(document.RootElement) is not { } value || JsonComparison.Number(value) is not { } number)
                {
                    return $"body mismatch: {p} is \"{actual}\", not a number";
                }
                return JsonComparison.Failure(document.RootElement, p, number, c);
            }
        }
        return null;
    }

    /// <summary>The value at a path of a JSON body as text, or null when the body is not JSON or has no such value.</summary>
    public static string? Extract(string body, JsonPath path)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return path.Find(document.RootElement) is { } value ? JsonPath.Text(value) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
